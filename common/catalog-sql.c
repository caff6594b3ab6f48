/* SPDX-License-Identifier: MIT */
/* catalog-sql.c: the constant catalog queries (doc/autogenerate.md §3). */
#include "config.h"

#include <stddef.h>

#include "catalog.h"

/*
 * Every query starts with these CTEs: ns = the user's schemas (not system,
 * not an extension's), rel = their relations, minus temporary ones, those
 * of extensions and the excluded state tables ($1: schema and table
 * names, unquoted, in pairs). Object queries return kind, ident, parent, refs
 * (the space-separated "classid:objid[:subid]" this object answers to in
 * pg_depend), then one column per attribute, named after it; attributes
 * whose name starts with '_' are information, not compared.
 */
#define CATALOG_CTE \
	    "WITH ns AS ( " \
	    "SELECT n.oid, n.nspname, n.nspacl, n.nspowner FROM pg_namespace " \
	    "n " \
	    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') " \
	    "AND n.nspname !~ '^pg_(toast|temp_)' " \
	    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = " \
	    "'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = " \
	    "'e') " \
	    "), rel AS ( " \
	    "SELECT c.*, format('%I.%I', ns.nspname, c.relname) AS qname " \
	    "FROM pg_class c JOIN ns ON ns.oid = c.relnamespace " \
	    "WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = " \
	    "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') " \
	    "AND c.relpersistence <> 't' AND c.relkind IN ('r', 'p', 'v', " \
	    "'m', 'S', 'f') " \
	    "AND NOT EXISTS (SELECT 1 FROM generate_subscripts($1::text[], " \
	    "1) x WHERE x % 2 = 1 AND ($1::text[])[x] = ns.nspname AND " \
	    "($1::text[])[x + 1] = c.relname) " \
	    "AND (c.relkind <> 'S' OR NOT EXISTS (SELECT 1 FROM pg_depend d " \
	    "JOIN pg_class o ON o.oid = d.refobjid JOIN pg_namespace n ON " \
	    "n.oid = o.relnamespace " \
	    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND " \
	    "d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') " \
	    "AND EXISTS (SELECT 1 FROM generate_subscripts($1::text[], 1) x " \
	    "WHERE x % 2 = 1 AND ($1::text[])[x] = n.nspname AND " \
	    "($1::text[])[x + 1] = o.relname))) " \
	    ") " \

/* The user's types (not an extension's), named schema.type: after CTE. */
#define CATALOG_TYP_CTE \
	", typ AS ( " \
	"SELECT t.*, format('%I.%I', ns.nspname, t.typname) AS qname FROM " \
	"pg_type t JOIN ns ON ns.oid = t.typnamespace " \
	"WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = " \
	"'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') " \
	") "

/*
 * The comment on an object: what obj_description() and col_description()
 * return, without their SQL function call per row (5 to 7 us each, 35 ms
 * of a read of 500 tables).
 */
#define CATALOG_COMMENT(objoid, cls, subid) \
	    " (SELECT dc.description FROM pg_description dc WHERE " \
	    "dc.objoid = " objoid " AND dc.classoid = '" cls "'::regclass " \
	    "AND dc.objsubid = " subid ") "

const struct catalog_query catalog_queries[] = {
	{ "schema",
	    CATALOG_CTE
	    "SELECT 'schema' AS kind, quote_ident(n.nspname) AS ident, "
	    "NULL::text AS parent, 'pg_namespace'::regclass::oid || ':' || "
	    "n.oid AS refs, "
	    CATALOG_COMMENT("n.oid", "pg_namespace", "0") "AS comment, (SELECT "
	    "array_agg(x::text ORDER BY x::text) FROM "
	    "unnest(coalesce(n.nspacl, acldefault('n', n.nspowner))) x)::text "
	    "AS acl "
	    "FROM ns n "
	    "ORDER BY 2 " },
	{ "extension",
	    CATALOG_CTE
	    "SELECT 'extension' AS kind, quote_ident(e.extname) AS ident, "
	    "NULL::text AS parent, "
	    "concat_ws(' ', 'pg_extension'::regclass::oid || ':' || e.oid, "
	    "(SELECT string_agg(d.classid || ':' || d.objid, ' ') FROM "
	    "pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND "
	    "d.refobjid = e.oid AND d.deptype = 'e')) AS refs, "
	    "quote_ident(n.nspname) AS schema, e.extversion AS version, "
	    CATALOG_COMMENT("e.oid", "pg_extension", "0") "AS comment "
	    "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
	    "ORDER BY 2 " },
	{ "type",
	    CATALOG_CTE
	    CATALOG_TYP_CTE
	    "SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' "
	    "ELSE 'composite' END AS kind, "
	    "t.qname AS ident, NULL::text AS parent, "
	    "concat_ws(' ', 'pg_type'::regclass::oid || ':' || t.oid, "
	    "'pg_type'::regclass::oid || ':' || NULLIF(t.typarray, 0), CASE "
	    "WHEN t.typtype = 'c' THEN 'pg_class'::regclass::oid || ':' || "
	    "t.typrelid END) AS refs, "
	    "CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(e.enumlabel ORDER "
	    "BY e.enumsortorder)::text FROM pg_enum e WHERE e.enumtypid = "
	    "t.oid) END AS labels, "
	    "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, "
	    "t.typtypmod) END AS basetype, "
	    "CASE WHEN t.typtype = 'd' AND t.typcollation <> (SELECT "
	    "b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype) THEN "
	    "(SELECT format('%I.%I', cn.nspname, co.collname) FROM "
	    "pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace "
	    "WHERE co.oid = t.typcollation) END AS collation, "
	    "CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) "
	    "END AS default, "
	    "CASE WHEN t.typtype = 'd' THEN t.typnotnull END AS notnull, "
	    "CASE WHEN t.typtype = 'c' THEN (SELECT "
	    "json_agg(json_build_array(quote_ident(a.attname), "
	    "format_type(a.atttypid, a.atttypmod), "
	    "CASE WHEN a.attcollation <> at.typcollation THEN (SELECT "
	    "format('%I.%I', cn.nspname, co.collname) FROM pg_collation co "
	    "JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = "
	    "a.attcollation) END) ORDER BY a.attnum)::text "
	    "FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid WHERE "
	    "a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) "
	    "END AS attributes, "
	    CATALOG_COMMENT("t.oid", "pg_type", "0") "AS comment "
	    "FROM typ t "
	    "WHERE t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT "
	    "c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c') "
	    "ORDER BY 2 " },
	{ "domcheck",
	    CATALOG_CTE
	    CATALOG_TYP_CTE
	    "SELECT 'domcheck' AS kind, format('%s.%I', t.qname, k.conname) AS "
	    "ident, t.qname AS parent, 'pg_constraint'::regclass::oid || ':' "
	    "|| k.oid AS refs, "
	    "pg_get_constraintdef(k.oid) AS def, "
	    CATALOG_COMMENT("k.oid", "pg_constraint", "0") "AS comment "
	    "FROM typ t JOIN pg_constraint k ON k.contypid = t.oid WHERE "
	    "t.typtype = 'd' "
	    "ORDER BY 2 " },
	{ "sequence",
	    CATALOG_CTE
	    "SELECT 'sequence' AS kind, c.qname AS ident, NULL::text AS "
	    "parent, "
	    "'pg_class'::regclass::oid || ':' || c.oid AS refs, "
	    "format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, "
	    "s.seqincrement::text AS increment, "
	    "s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS "
	    "cache, s.seqcycle AS cycle, "
	    "(SELECT format('%s.%I', t.qname, a.attname) FROM pg_depend d JOIN "
	    "rel t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = "
	    "t.oid AND a.attnum = d.refobjsubid "
	    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
	    "d.refclassid = 'pg_class'::regclass AND d.deptype = 'a') AS "
	    "owned_by, "
	    CATALOG_COMMENT("c.oid", "pg_class", "0") "AS comment, "
	    "(SELECT array_agg(x::text ORDER BY x::text) FROM "
	    "unnest(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' "
	    "THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner))) x)::text "
	    "AS acl "
	    "FROM rel c JOIN pg_sequence s ON s.seqrelid = c.oid "
	    "WHERE c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
	    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
	    "d.deptype = 'i') "
	    "ORDER BY 2 " },
	{ "relation",
	    CATALOG_CTE
	    "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN "
	    "'matview' ELSE 'table' END AS kind, "
	    "c.qname AS ident, NULL::text AS parent, "
	    "concat_ws(' ', 'pg_class'::regclass::oid || ':' || c.oid, "
	    "'pg_type'::regclass::oid || ':' || c.reltype, "
	    "'pg_type'::regclass::oid || ':' || (SELECT t.typarray FROM "
	    "pg_type t WHERE t.oid = c.reltype), "
	    "(SELECT string_agg('pg_rewrite'::regclass::oid || ':' || r.oid, ' "
	    "') FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = "
	    "'_RETURN')) AS refs, "
	    "c.relpersistence AS persistence, "
	    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "
	    "partkey, "
	    "(SELECT p.qname FROM pg_inherits i JOIN rel p ON p.oid = "
	    "i.inhparent WHERE i.inhrelid = c.oid AND c.relispartition) AS "
	    "partof, "
	    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, "
	    "c.oid) END AS bound, "
	    "array_to_string(c.reloptions, ', ') AS options, "
	    "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END "
	    "AS def, "
	    "CASE WHEN c.relkind IN ('r', 'p') THEN c.relrowsecurity END AS "
	    "rls, "
	    "CASE WHEN c.relkind IN ('r', 'p') THEN c.relforcerowsecurity END "
	    "AS force_rls, "
	    CATALOG_COMMENT("c.oid", "pg_class", "0") "AS comment, "
	    "(SELECT array_agg(x::text ORDER BY x::text) FROM "
	    "unnest(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' "
	    "THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner))) x)::text "
	    "AS acl "
	    "FROM rel c WHERE c.relkind IN ('r', 'p', 'v', 'm') "
	    "ORDER BY 2 " },
	{ "column",
	    CATALOG_CTE
	    "SELECT 'column' AS kind, format('%s.%I', c.qname, a.attname) AS "
	    "ident, c.qname AS parent, "
	    "concat_ws(' ', 'pg_class'::regclass::oid || ':' || c.oid || ':' "
	    "|| a.attnum, "
	    "CASE WHEN a.attgenerated = 's' THEN (SELECT "
	    "'pg_attrdef'::regclass::oid || ':' || ad.oid FROM pg_attrdef ad "
	    "WHERE ad.adrelid = c.oid AND ad.adnum = a.attnum) END) AS refs, "
	    "format_type(a.atttypid, a.atttypmod) AS type, "
	    "CASE WHEN a.attcollation <> t.typcollation THEN (SELECT "
	    "format('%I.%I', cn.nspname, co.collname) FROM pg_collation co "
	    "JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = "
	    "a.attcollation) END AS collation, "
	    "a.attnotnull AS notnull, "
	    "NULLIF(a.attidentity, '') AS identity, "
	    "CASE WHEN a.attidentity <> '' THEN (SELECT format('%I.%I', "
	    "sn.nspname, sc.relname) "
	    "FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN "
	    "pg_namespace sn ON sn.oid = sc.relnamespace "
	    "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = "
	    "'pg_class'::regclass AND d.refobjid = c.oid AND d.refobjsubid = "
	    "a.attnum AND d.deptype = 'i') END AS identity_seq, "
	    "CASE WHEN a.attidentity <> '' THEN (SELECT format('START WITH %s "
	    "INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s %s', s.seqstart, "
	    "s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN "
	    "s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END) "
	    "FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid "
	    "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = "
	    "'pg_class'::regclass AND d.refobjid = c.oid AND d.refobjsubid = "
	    "a.attnum AND d.deptype = 'i') END AS identity_opts, "
	    "CASE WHEN a.attgenerated = 's' THEN (SELECT pg_get_expr(ad.adbin, "
	    "ad.adrelid) FROM pg_attrdef ad WHERE ad.adrelid = c.oid AND "
	    "ad.adnum = a.attnum) END AS generated, "
	    CATALOG_COMMENT("c.oid", "pg_class", "a.attnum") "AS comment, "
	    "(SELECT array_agg(x::text ORDER BY x::text) FROM unnest(a.attacl) "
	    "x)::text AS acl, "
	    "a.attnum AS _attnum "
	    "FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type "
	    "t ON t.oid = a.atttypid "
	    "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT "
	    "a.attisdropped AND a.attinhcount = 0 "
	    "ORDER BY 2 " },
	{ "default",
	    CATALOG_CTE
	    "SELECT 'default' AS kind, format('%s.%I', c.qname, a.attname) AS "
	    "ident, format('%s.%I', c.qname, a.attname) AS parent, "
	    "'pg_attrdef'::regclass::oid || ':' || ad.oid AS refs, "
	    "pg_get_expr(ad.adbin, ad.adrelid) AS expr "
	    "FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid JOIN "
	    "pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum "
	    "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT "
	    "a.attisdropped AND a.attgenerated = '' AND a.attinhcount = 0 "
	    "ORDER BY 2 " },
	{ "constraint",
	    CATALOG_CTE
	    "SELECT 'constraint' AS kind, format('%s.%I', c.qname, k.conname) "
	    "AS ident, c.qname AS parent, "
	    "concat_ws(' ', 'pg_constraint'::regclass::oid || ':' || k.oid, "
	    "CASE WHEN k.contype IN ('p', 'u', 'x') AND k.conindid <> 0 THEN "
	    "'pg_class'::regclass::oid || ':' || k.conindid END) AS refs, "
	    "k.contype::text AS type, "
	    "pg_get_constraintdef(k.oid) AS def, "
	    CATALOG_COMMENT("k.oid", "pg_constraint", "0") "AS comment "
	    "FROM rel c JOIN pg_constraint k ON k.conrelid = c.oid "
	    "WHERE c.relkind IN ('r', 'p') AND k.contype IN ('p', 'u', 'c', "
	    "'x', 'f') AND k.conparentid = 0 AND k.coninhcount = 0 "
	    "ORDER BY 2 " },
	{ "index",
	    CATALOG_CTE
	    "SELECT 'index' AS kind, format('%I.%I', ns.nspname, i.relname) AS "
	    "ident, c.qname AS parent, "
	    "'pg_class'::regclass::oid || ':' || i.oid AS refs, "
	    "pg_get_indexdef(i.oid) AS def, "
	    "x.indisvalid AS valid, "
	    CATALOG_COMMENT("i.oid", "pg_class", "0") "AS comment "
	    "FROM rel c JOIN pg_index x ON x.indrelid = c.oid JOIN pg_class i "
	    "ON i.oid = x.indexrelid JOIN ns ON ns.oid = i.relnamespace "
	    "WHERE c.relkind IN ('r', 'p', 'm') "
	    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
	    "i.oid AND k.conrelid = c.oid AND k.contype IN ('p', 'u', 'x')) "
	    "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = "
	    "i.oid) "
	    "ORDER BY 2 " },
	{ "function",
	    CATALOG_CTE
	    "SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' "
	    "END AS kind, "
	    "format('%I.%I(%s)', ns.nspname, p.proname, "
	    "oidvectortypes(p.proargtypes)) AS ident, NULL::text AS parent, "
	    "'pg_proc'::regclass::oid || ':' || p.oid AS refs, "
	    "pg_get_function_result(p.oid) AS result, "
	    "pg_get_function_arguments(p.oid) AS args, "
	    "pg_get_functiondef(p.oid) AS def, "
	    CATALOG_COMMENT("p.oid", "pg_proc", "0") "AS comment, "
	    "(SELECT array_agg(x::text ORDER BY x::text) FROM "
	    "unnest(coalesce(p.proacl, acldefault('f', p.proowner))) x)::text "
	    "AS acl "
	    "FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace "
	    "WHERE p.prokind IN ('f', 'p') "
	    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
	    "'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') "
	    "ORDER BY 2 " },
	{ "trigger",
	    CATALOG_CTE
	    "SELECT 'trigger' AS kind, format('%s.%I', c.qname, g.tgname) AS "
	    "ident, c.qname AS parent, "
	    "'pg_trigger'::regclass::oid || ':' || g.oid AS refs, "
	    "pg_get_triggerdef(g.oid) AS def, "
	    "g.tgenabled::text AS enabled, "
	    CATALOG_COMMENT("g.oid", "pg_trigger", "0") "AS comment "
	    "FROM rel c JOIN pg_trigger g ON g.tgrelid = c.oid "
	    "WHERE NOT g.tgisinternal AND g.tgparentid = 0 "
	    "ORDER BY 2 " },
	{ "policy",
	    CATALOG_CTE
	    "SELECT 'policy' AS kind, format('%s.%I', c.qname, p.polname) AS "
	    "ident, c.qname AS parent, "
	    "'pg_policy'::regclass::oid || ':' || p.oid AS refs, "
	    "p.polpermissive AS permissive, "
	    "p.polcmd::text AS cmd, "
	    "(SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE "
	    "quote_ident(pg_get_userbyid(r)) END, ', ' ORDER BY 1) FROM "
	    "unnest(p.polroles) r) AS roles, "
	    "pg_get_expr(p.polqual, p.polrelid) AS using, "
	    "pg_get_expr(p.polwithcheck, p.polrelid) AS check, "
	    CATALOG_COMMENT("p.oid", "pg_policy", "0") "AS comment "
	    "FROM rel c JOIN pg_policy p ON p.polrelid = c.oid "
	    "ORDER BY 2 " },
	{ "unmodelled",
	    CATALOG_CTE
	    ", obj AS ( "
	    "SELECT 'pg_proc'::regclass AS cls, p.oid, 0 AS sub, "
	    "p.pronamespace AS nsp FROM pg_proc p WHERE p.prokind IN ('a', "
	    "'w') "
	    "UNION ALL SELECT 'pg_operator'::regclass, o.oid, 0, "
	    "o.oprnamespace FROM pg_operator o "
	    "UNION ALL SELECT 'pg_opclass'::regclass, o.oid, 0, o.opcnamespace "
	    "FROM pg_opclass o "
	    "UNION ALL SELECT 'pg_opfamily'::regclass, o.oid, 0, "
	    "o.opfnamespace FROM pg_opfamily o "
	    "UNION ALL SELECT 'pg_collation'::regclass, o.oid, 0, "
	    "o.collnamespace FROM pg_collation o "
	    "UNION ALL SELECT 'pg_conversion'::regclass, o.oid, 0, "
	    "o.connamespace FROM pg_conversion o "
	    "UNION ALL SELECT 'pg_ts_config'::regclass, o.oid, 0, "
	    "o.cfgnamespace FROM pg_ts_config o "
	    "UNION ALL SELECT 'pg_ts_dict'::regclass, o.oid, 0, "
	    "o.dictnamespace FROM pg_ts_dict o "
	    "UNION ALL SELECT 'pg_ts_parser'::regclass, o.oid, 0, "
	    "o.prsnamespace FROM pg_ts_parser o "
	    "UNION ALL SELECT 'pg_ts_template'::regclass, o.oid, 0, "
	    "o.tmplnamespace FROM pg_ts_template o "
	    "UNION ALL SELECT 'pg_statistic_ext'::regclass, o.oid, 0, "
	    "o.stxnamespace FROM pg_statistic_ext o "
	    "UNION ALL SELECT 'pg_type'::regclass, t.oid, 0, t.typnamespace "
	    "FROM pg_type t WHERE t.typtype IN ('b', 'r', 'p') AND t.typelem = "
	    "0 OR t.typtype = 'm' "
	    "UNION ALL SELECT 'pg_class'::regclass, c.oid, 0, c.relnamespace "
	    "FROM pg_class c WHERE c.relkind = 'f' "
	    "UNION ALL SELECT 'pg_rewrite'::regclass, r.oid, 0, c.relnamespace "
	    "FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE "
	    "r.rulename <> '_RETURN' "
	    "UNION ALL SELECT 'pg_cast'::regclass, o.oid, 0, NULL FROM pg_cast "
	    "o WHERE o.oid >= 16384 "
	    "UNION ALL SELECT 'pg_language'::regclass, o.oid, 0, NULL FROM "
	    "pg_language o WHERE o.oid >= 16384 "
	    "UNION ALL SELECT 'pg_am'::regclass, o.oid, 0, NULL FROM pg_am o "
	    "WHERE o.oid >= 16384 "
	    "UNION ALL SELECT 'pg_transform'::regclass, o.oid, 0, NULL FROM "
	    "pg_transform o WHERE o.oid >= 16384 "
	    "UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, o.oid, 0, "
	    "NULL FROM pg_foreign_data_wrapper o WHERE o.oid >= 16384 "
	    "UNION ALL SELECT 'pg_foreign_server'::regclass, o.oid, 0, NULL "
	    "FROM pg_foreign_server o "
	    "UNION ALL SELECT 'pg_event_trigger'::regclass, o.oid, 0, NULL "
	    "FROM pg_event_trigger o "
	    "UNION ALL SELECT 'pg_publication'::regclass, o.oid, 0, NULL FROM "
	    "pg_publication o "
	    "UNION ALL SELECT 'pg_default_acl'::regclass, o.oid, 0, "
	    "o.defaclnamespace FROM pg_default_acl o "
	    ") "
	    "SELECT 'unmodelled' AS kind, CASE WHEN o.cls = "
	    "'pg_proc'::regclass THEN regexp_replace(pg_describe_object(o.cls, "
	    "o.oid, o.sub), '^function', 'aggregate') ELSE "
	    "pg_describe_object(o.cls, o.oid, o.sub) END AS ident, NULL::text "
	    "AS parent, o.cls::oid || ':' || o.oid AS refs, "
	    "CASE WHEN o.cls = 'pg_rewrite'::regclass THEN "
	    "pg_get_ruledef(o.oid) END AS def "
	    "FROM obj o "
	    "WHERE o.oid >= 16384 AND (o.nsp IS NULL OR o.nsp IN (SELECT oid "
	    "FROM ns)) "
	    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.cls "
	    "AND d.objid = o.oid AND d.deptype IN ('e', 'i')) "
	    "UNION ALL "
	    "SELECT 'unmodelled', format('table %s inherits from %s', c.qname, "
	    "p.qname), NULL, 'pg_class'::regclass::oid || ':' || c.oid, NULL "
	    "FROM rel c JOIN pg_inherits i ON i.inhrelid = c.oid JOIN rel p ON "
	    "p.oid = i.inhparent WHERE NOT c.relispartition AND c.relkind IN "
	    "('r', 'p') "
	    "UNION ALL "
	    "SELECT 'unmodelled', format('storage settings of column %s.%I', "
	    "c.qname, a.attname), NULL, 'pg_class'::regclass::oid || ':' || "
	    "c.oid || ':' || a.attnum, "
	    "concat_ws(' ', 'statistics ' || NULLIF(a.attstattarget, -1), CASE "
	    "WHEN a.attstorage <> t.typstorage THEN 'storage ' || "
	    "a.attstorage::text END, 'compression ' || "
	    "NULLIF(a.attcompression::text, '')) "
	    "FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type "
	    "t ON t.oid = a.atttypid "
	    "WHERE a.attnum > 0 AND NOT a.attisdropped AND (a.attstattarget >= "
	    "0 OR a.attstorage <> t.typstorage OR a.attcompression <> '') "
	    "UNION ALL "
	    "SELECT 'unmodelled', format('%s %s: %s', CASE c.relkind WHEN 'i' "
	    "THEN 'index' ELSE 'relation' END, c.qname, concat_ws(', ', "
	    "'tablespace ' || NULLIF(c.reltablespace, 0)::regclass::text, "
	    "'replica identity ' || NULLIF(c.relreplident::text, 'd'))), NULL, "
	    "'pg_class'::regclass::oid || ':' || c.oid, NULL "
	    "FROM rel c WHERE c.reltablespace <> 0 OR (c.relreplident NOT IN "
	    "('d', 'n') AND c.relkind IN ('r', 'p')) "
	    "ORDER BY 2 " },
	{ NULL, NULL },
};

/* Dependencies between user objects (deptype n and a): obj, ref, deptype. */
const char catalog_deps_sql[] =
    "SELECT d.classid || ':' || d.objid || CASE WHEN d.objsubid <> 0 "
    "THEN ':' || d.objsubid ELSE '' END AS obj, "
    "d.refclassid || ':' || d.refobjid || CASE WHEN d.refobjsubid <> 0 "
    "THEN ':' || d.refobjsubid ELSE '' END AS ref, "
    "d.deptype::text AS deptype "
    "FROM pg_depend d "
    "WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid "
    ">= 16384 "
    "ORDER BY 1, 2 ";

const char catalog_begin_sql[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
/*
 * Local to the snapshot's transaction: every pg_get_*def qualifies names,
 * and no JIT: the column query's cost estimate crosses jit_above_cost on
 * a few hundred tables, and compiling its expressions took longer than
 * running it (70 of 105 ms on 500 tables).
 */
const char catalog_settings_sql[] =
    "SELECT set_config('search_path', '', true), "
    "set_config('jit', 'off', true)";
