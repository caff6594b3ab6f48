/* SPDX-License-Identifier: MIT */
/* lint-nt.c: rule: statements of non-transactional revisions re-run. */
#include "config.h"

#include <string.h>

#include "lint-int.h"

/*
 * A transactional: false revision that stops half way is dirty; after
 * `resolve --rolled-back`, or a retry, it runs again from its first
 * statement (SPEC §3). Every statement must then succeed with its effect
 * already there, and not double it (pg-mig's rule for CREATE INDEX
 * CONCURRENTLY: a DROP INDEX IF EXISTS of the same name first, so an
 * invalid index left by a cancelled build is not kept).
 */

static void
lint_nt(struct lint *l, int loc, const char *what, const char *fix)
{
	lint_report(l, LR_NT_NOT_IDEMPOTENT, LINT_WARNING, loc, "%s fails or "
	    "repeats when this non-transactional revision runs again; %s",
	    what, fix);
}

static bool
lint_nt_dropped(const struct lint *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->ndropped_ifx; i++)
		if (strcmp(l->dropped_ifx[i], name) == 0)
			return true;
	return false;
}

static void
lint_nt_index(struct lint *l, const PgQuery__IndexStmt *s, int loc)
{
	if (*s->idxname == '\0') {
		lint_nt(l, loc, "CREATE INDEX without a name", "name it (a "
		    "re-run would build a second index)");
		return;
	}
	if (lint_nt_dropped(l, s->idxname))
		return;
	if (!s->if_not_exists)
		lint_nt(l, loc, "CREATE INDEX without IF NOT EXISTS", "precede "
		    "it with DROP INDEX CONCURRENTLY IF EXISTS of that name");
	else if (s->concurrent)
		lint_nt(l, loc, "CREATE INDEX CONCURRENTLY IF NOT EXISTS",
		    "IF NOT EXISTS keeps an invalid index a cancelled build "
		    "left: precede it with DROP INDEX CONCURRENTLY IF EXISTS");
}

static void
lint_nt_alter(struct lint *l, const PgQuery__AlterTableStmt *s, int loc)
{
	const PgQuery__AlterTableCmd *c;
	size_t i;

	for (i = 0; i < s->n_cmds; i++) {
		if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		c = s->cmds[i]->alter_table_cmd;
		if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
		    !c->missing_ok)
			lint_nt(l, loc, "ADD COLUMN without IF NOT EXISTS",
			    "add IF NOT EXISTS");
		else if (c->subtype ==
		    PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn && !c->missing_ok)
			lint_nt(l, loc, "DROP COLUMN without IF EXISTS",
			    "add IF EXISTS");
		else if (c->subtype ==
		    PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint)
			lint_nt(l, loc, "ADD CONSTRAINT", "move it to a "
			    "transactional revision, or DROP CONSTRAINT IF "
			    "EXISTS first");
		else if (c->subtype ==
		    PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint &&
		    !c->missing_ok)
			lint_nt(l, loc, "DROP CONSTRAINT without IF EXISTS",
			    "add IF EXISTS");
	}
}

void
lint_nt_idempotent(struct lint *l, const PgQuery__Node *n, int loc)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		lint_nt_index(l, n->index_stmt, loc);
		break;
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (!n->create_stmt->if_not_exists)
			lint_nt(l, loc, "CREATE TABLE without IF NOT EXISTS",
			    "add IF NOT EXISTS");
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		if (!n->drop_stmt->missing_ok)
			lint_nt(l, loc, "DROP without IF EXISTS",
			    "add IF EXISTS");
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		lint_nt_alter(l, n->alter_table_stmt, loc);
		break;
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		if (!n->view_stmt->replace)
			lint_nt(l, loc, "CREATE VIEW", "use CREATE OR REPLACE "
			    "VIEW");
		break;
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
		if (!n->create_function_stmt->replace)
			lint_nt(l, loc, "CREATE FUNCTION", "use CREATE OR "
			    "REPLACE FUNCTION");
		break;
	case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
		if (!n->create_schema_stmt->if_not_exists)
			lint_nt(l, loc, "CREATE SCHEMA without IF NOT EXISTS",
			    "add IF NOT EXISTS");
		break;
	case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
		if (!n->create_seq_stmt->if_not_exists)
			lint_nt(l, loc, "CREATE SEQUENCE without IF NOT EXISTS",
			    "add IF NOT EXISTS");
		break;
	case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
		if (!n->create_extension_stmt->if_not_exists)
			lint_nt(l, loc, "CREATE EXTENSION without IF NOT "
			    "EXISTS", "add IF NOT EXISTS");
		break;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		if (*n->alter_enum_stmt->old_val == '\0' &&
		    !n->alter_enum_stmt->skip_if_new_val_exists)
			lint_nt(l, loc, "ADD VALUE without IF NOT EXISTS",
			    "add IF NOT EXISTS");
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		lint_nt(l, loc, "RENAME", "move it to a transactional "
		    "revision");
		break;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		if (n->insert_stmt->on_conflict_clause == NULL)
			lint_nt(l, loc, "INSERT without ON CONFLICT",
			    "add ON CONFLICT DO NOTHING (or move it to a "
			    "transactional revision)");
		break;
	default:
		break;
	}
}
