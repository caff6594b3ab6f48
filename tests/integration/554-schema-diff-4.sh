#!/usr/bin/env bash
# 554: tenth 5 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=4/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
