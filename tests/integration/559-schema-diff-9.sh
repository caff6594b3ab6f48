#!/usr/bin/env bash
# 559: tenth 10 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=9/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
