#!/usr/bin/env bash
# 551: tenth 2 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=1/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
