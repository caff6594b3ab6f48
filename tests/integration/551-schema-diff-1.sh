#!/usr/bin/env bash
# 551: quarter 2 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=1/4
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
