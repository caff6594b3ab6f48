/* SPDX-License-Identifier: MIT */
/* dt-migrated.c: daemon/migrated.c without its main(), for daemon tests. */
int migrated_main(int argc, char **argv);
#define main migrated_main
#include "daemon/migrated.c"
