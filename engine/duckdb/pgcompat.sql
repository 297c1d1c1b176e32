-- PostgreSQL catalog objects DuckDB's pg_catalog emulation lacks, and
-- views over it that hide the mirror's own schemas. Clients' catalog
-- queries see them first (search_path) once pg_catalog. is dropped from
-- their names (pgcatalog.go, rewriteCatalogSQL). Found by running psql's
-- \d, \dt, \dn, \l, \df and JDBC's metadata calls against the mirror.
CREATE SCHEMA IF NOT EXISTS pgcompat;
CREATE MACRO pgcompat.pg_get_userbyid(id) AS 'lakegate';
CREATE MACRO pgcompat.pg_get_expr(expr, rel) AS NULL, (expr, rel, pretty) AS NULL;
CREATE MACRO pgcompat.pg_get_indexdef(idx) AS NULL, (idx, col, pretty) AS NULL;
CREATE MACRO pgcompat.pg_encoding_to_char(enc) AS 'UTF8';
CREATE MACRO pgcompat.pg_get_function_result(oid) AS NULL;
CREATE MACRO pgcompat.pg_get_function_arguments(oid) AS NULL;
CREATE MACRO pgcompat.pg_get_statisticsobjdef_columns(oid) AS NULL;
CREATE MACRO pgcompat.pg_relation_is_publishable(oid) AS false;
CREATE MACRO pgcompat.pg_get_partkeydef(oid) AS NULL;
CREATE MACRO pgcompat.pg_total_relation_size(oid) AS 0;
CREATE MACRO pgcompat.pg_relation_size(oid) AS 0;
CREATE MACRO pgcompat.pg_table_size(oid) AS 0;
CREATE MACRO pgcompat.array_upper(arr, dim) AS len(arr);
CREATE MACRO pgcompat.version() AS 'PostgreSQL 15.0 (lakegate)';
CREATE VIEW pgcompat.pg_namespace AS SELECT * FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pgcompat', 'main', 'temp');
CREATE VIEW pgcompat.pg_class AS SELECT *, false AS relforcerowsecurity FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM pgcompat.pg_namespace);
CREATE VIEW pgcompat.pg_database AS SELECT * REPLACE ('lakegate' AS datname), 'C' AS datcollate, 'C' AS datctype, NULL::VARCHAR AS daticulocale, 'c' AS datlocprovider, NULL::VARCHAR[] AS datacl, 6 AS encoding, 10::BIGINT AS datdba FROM pg_catalog.pg_database WHERE datname = current_database();
CREATE VIEW pgcompat.pg_roles AS SELECT 10::BIGINT AS oid, 'lakegate' AS rolname, false AS rolsuper, false AS rolcanlogin, NULL::VARCHAR[] AS rolconfig;
CREATE TABLE pgcompat.pg_policy (oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR);
CREATE TABLE pgcompat.pg_statistic_ext (oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys INTEGER[], stxkind VARCHAR[], stxexprs VARCHAR);
CREATE TABLE pgcompat.pg_publication (oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN);
CREATE TABLE pgcompat.pg_publication_namespace (oid BIGINT, pnpubid BIGINT, pnnspid BIGINT);
CREATE TABLE pgcompat.pg_publication_rel (oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]);
CREATE TABLE pgcompat.pg_inherits (inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN);
CREATE TABLE pgcompat.pg_trigger (oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgisinternal BOOLEAN, tgenabled VARCHAR);
CREATE TABLE pgcompat.pg_rewrite (oid BIGINT, rulename VARCHAR, ev_class BIGINT);
CREATE TABLE pgcompat.pg_foreign_table (ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]);
CREATE TABLE pgcompat.pg_partitioned_table (partrelid BIGINT, partstrat VARCHAR);
CREATE TYPE pgcompat.regclass AS BIGINT;
CREATE TYPE pgcompat.regtype AS BIGINT;
CREATE TYPE pgcompat.regnamespace AS BIGINT;
CREATE TYPE pgcompat.regproc AS BIGINT;
CREATE TYPE pgcompat.oid AS BIGINT;
CREATE VIEW pgcompat.information_schema_tables AS SELECT * REPLACE ('lakegate' AS table_catalog) FROM information_schema.tables WHERE table_schema NOT IN ('pgcompat', 'main');
CREATE VIEW pgcompat.information_schema_columns AS SELECT * REPLACE ('lakegate' AS table_catalog) FROM information_schema.columns WHERE table_schema NOT IN ('pgcompat', 'main');
CREATE VIEW pgcompat.information_schema_schemata AS SELECT * REPLACE ('lakegate' AS catalog_name) FROM information_schema.schemata WHERE schema_name NOT IN ('pgcompat', 'main');
CREATE VIEW pgcompat.information_schema_views AS SELECT * REPLACE ('lakegate' AS table_catalog) FROM information_schema.views WHERE table_schema NOT IN ('pgcompat', 'main');
CREATE MACRO pgcompat.to_regclass(name) AS (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = split_part(name, '.', -1) AND (strpos(name, '.') = 0 OR n.nspname = split_part(name, '.', 1)) LIMIT 1);
CREATE VIEW pgcompat.pg_description AS SELECT objoid, pgcompat.to_regclass('pg_class') AS classoid, objsubid, description FROM pg_catalog.pg_description WHERE description IS NOT NULL;
CREATE MACRO pgcompat.obj_description(obj, cls) AS (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = obj AND d.objsubid = 0 LIMIT 1), (obj) AS (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = obj AND d.objsubid = 0 LIMIT 1);
CREATE MACRO pgcompat.col_description(rel, col) AS (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = rel AND d.objsubid = col LIMIT 1);
CREATE MACRO pgcompat.pg_oid_of_scalar(t) AS CASE WHEN t = 'BOOLEAN' THEN 16 WHEN t IN ('TINYINT', 'SMALLINT', 'UTINYINT') THEN 21 WHEN t IN ('INTEGER', 'USMALLINT') THEN 23 WHEN t IN ('BIGINT', 'UINTEGER') THEN 20 WHEN t IN ('FLOAT', 'REAL') THEN 700 WHEN t = 'DOUBLE' THEN 701 WHEN t LIKE 'DECIMAL%' OR t IN ('HUGEINT', 'UBIGINT', 'UHUGEINT') THEN 1700 WHEN t = 'VARCHAR' THEN 1043 WHEN t = 'BLOB' THEN 17 WHEN t = 'DATE' THEN 1082 WHEN t = 'TIME' THEN 1083 WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 1184 WHEN t LIKE 'TIMESTAMP%' THEN 1114 WHEN t = 'INTERVAL' THEN 1186 WHEN t = 'UUID' THEN 2950 ELSE 114 END;
CREATE MACRO pgcompat.pg_oid_of(t) AS CASE WHEN t LIKE '%[]' THEN CASE pgcompat.pg_oid_of_scalar(t[:-3]) WHEN 16 THEN 1000 WHEN 21 THEN 1005 WHEN 23 THEN 1007 WHEN 20 THEN 1016 WHEN 700 THEN 1021 WHEN 701 THEN 1022 WHEN 1043 THEN 1015 WHEN 1082 THEN 1182 WHEN 1114 THEN 1115 WHEN 1184 THEN 1185 WHEN 1700 THEN 1231 ELSE 114 END ELSE pgcompat.pg_oid_of_scalar(t) END;
CREATE VIEW pgcompat.pg_attribute AS SELECT a.* REPLACE (pgcompat.pg_oid_of(c.data_type) AS atttypid) FROM pg_catalog.pg_attribute a JOIN duckdb_columns() c ON c.table_oid = a.attrelid AND c.column_index = a.attnum;
CREATE VIEW pgcompat.pg_type AS SELECT * FROM pg_catalog.pg_type UNION ALL BY NAME SELECT t.oid, t.typname, t.typcategory, t.typelem, 'b' AS typtype, -1 AS typlen, (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog') AS typnamespace FROM (VALUES (25, 'text', 'S', NULL), (114, 'json', 'U', NULL), (1000, '_bool', 'A', 16), (1005, '_int2', 'A', 21), (1007, '_int4', 'A', 23), (1016, '_int8', 'A', 20), (1021, '_float4', 'A', 700), (1022, '_float8', 'A', 701), (1015, '_varchar', 'A', 1043), (1182, '_date', 'A', 1082), (1115, '_timestamp', 'A', 1114), (1185, '_timestamptz', 'A', 1184), (1231, '_numeric', 'A', 1700)) t(oid, typname, typcategory, typelem);
CREATE MACRO pgcompat.format_type(type_oid, typemod) AS CASE type_oid WHEN 1043 THEN 'character varying' WHEN 25 THEN 'text' WHEN 23 THEN 'integer' WHEN 20 THEN 'bigint' WHEN 21 THEN 'smallint' WHEN 701 THEN 'double precision' WHEN 700 THEN 'real' WHEN 16 THEN 'boolean' WHEN 1082 THEN 'date' WHEN 1114 THEN 'timestamp without time zone' WHEN 1184 THEN 'timestamp with time zone' WHEN 1083 THEN 'time without time zone' WHEN 1186 THEN 'interval' WHEN 1700 THEN 'numeric' || CASE WHEN typemod > 0 THEN '(' || (typemod // 1000) || ',' || (typemod % 1000) || ')' ELSE '' END WHEN 114 THEN 'json' WHEN 17 THEN 'bytea' WHEN 2950 THEN 'uuid' WHEN 1015 THEN 'character varying[]' WHEN 1007 THEN 'integer[]' WHEN 1016 THEN 'bigint[]' WHEN 1022 THEN 'double precision[]' WHEN 1000 THEN 'boolean[]' WHEN 1182 THEN 'date[]' WHEN 1115 THEN 'timestamp without time zone[]' WHEN 1185 THEN 'timestamp with time zone[]' WHEN 1231 THEN 'numeric[]' WHEN 1005 THEN 'smallint[]' WHEN 1021 THEN 'real[]' END;
CREATE MACRO pgcompat.to_regtype(name) AS (SELECT t.oid FROM pgcompat.pg_type t WHERE t.typname = name LIMIT 1);
CREATE VIEW pgcompat.pg_tables AS SELECT * FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pgcompat', 'main');
CREATE VIEW pgcompat.pg_views AS SELECT * FROM pg_catalog.pg_views WHERE schemaname NOT IN ('pgcompat', 'main');
-- What DBeaver and Metabase send beyond psql and JDBC (their PostgreSQL
-- drivers' SQL, read from their sources: testdata/bi/*.sql): relations
-- lakegate has none of are empty, statistics unknown.
CREATE VIEW pgcompat.pg_matviews AS SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS matviewname, NULL::VARCHAR AS matviewowner, NULL::VARCHAR AS tablespace, false AS hasindexes, false AS ispopulated, NULL::VARCHAR AS definition WHERE false;
CREATE VIEW pgcompat.pg_stat_user_tables AS SELECT c.oid AS relid, n.nspname AS schemaname, c.relname, 0::BIGINT AS seq_scan, 0::BIGINT AS idx_scan, NULL::BIGINT AS n_live_tup, NULL::BIGINT AS n_dead_tup, NULL::TIMESTAMPTZ AS last_analyze, NULL::TIMESTAMPTZ AS last_autoanalyze FROM pgcompat.pg_class c JOIN pgcompat.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r';
CREATE TABLE pgcompat.pg_shdescription (objoid BIGINT, classoid BIGINT, description VARCHAR);
CREATE MACRO pgcompat.pg_tablespace_location(oid) AS '';
CREATE MACRO pgcompat.pg_stat_get_numscans(oid) AS 0::BIGINT;
CREATE MACRO pgcompat._pg_expandarray(arr) AS {'x': arr[1], 'n': 1};
CREATE MACRO pgcompat.pg_get_keywords() AS TABLE SELECT keyword_name AS word, CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U' WHEN 'type_function' THEN 'T' ELSE 'C' END AS catcode, keyword_category AS catdesc FROM duckdb_keywords();
CREATE MACRO pgcompat.format(f, a) AS printf(replace(f, '%I', '%s'), a), (f, a, b) AS printf(replace(f, '%I', '%s'), a, b), (f, a, b, c) AS printf(replace(f, '%I', '%s'), a, b, c);
