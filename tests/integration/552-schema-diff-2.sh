#!/usr/bin/env bash
# 552: quarter 3 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=2/4
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
