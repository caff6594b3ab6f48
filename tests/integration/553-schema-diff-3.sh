#!/usr/bin/env bash
# 553: tenth 4 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=3/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
