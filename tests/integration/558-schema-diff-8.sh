#!/usr/bin/env bash
# 558: tenth 9 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=8/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
