#!/usr/bin/env bash
# 555: tenth 6 of the schema-diff fixtures (see 550-schema-diff.sh).
export SCHEMA_DIFF_SHARD=5/10
exec bash "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
