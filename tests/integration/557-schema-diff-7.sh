#!/usr/bin/env bash
# 557: tenth 8 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=7/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
