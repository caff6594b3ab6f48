#!/usr/bin/env bash
# 552: sixth 3 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=2/6
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
