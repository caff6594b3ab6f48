#!/usr/bin/env bash
# 556: tenth 7 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=6/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
