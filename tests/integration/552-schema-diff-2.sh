#!/usr/bin/env bash
# 552: tenth 3 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=2/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
