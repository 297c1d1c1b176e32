-- The lakegate catalog: one row per database, table, partition, file and
-- batch, a single-row catalog version, and tombstones of dropped tables (so
-- that Changes can tell readers what left). Table and database records are
-- kept whole as JSONB (lakegate.Table / lakegate.Database, stats included):
-- the rules that build them live in catalog.State, not in SQL.

CREATE TABLE lakegate.catalog_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id), -- exactly one row
    version bigint  NOT NULL
);
INSERT INTO lakegate.catalog_version (id, version) VALUES (true, 0);

CREATE TABLE lakegate.databases (
    name text  PRIMARY KEY,
    doc  jsonb NOT NULL
);

CREATE TABLE lakegate.tables (
    id       bigserial PRIMARY KEY,
    database text   NOT NULL REFERENCES lakegate.databases (name),
    name     text   NOT NULL,
    version  bigint NOT NULL, -- catalog version of the table's last change
    doc      jsonb  NOT NULL,
    UNIQUE (database, name)
);
-- Changes(since) reads only the tables whose version moved.
CREATE INDEX tables_version ON lakegate.tables (version);

CREATE TABLE lakegate.partitions (
    id         bigserial   PRIMARY KEY,
    table_id   bigint      NOT NULL REFERENCES lakegate.tables (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    vals       jsonb       NOT NULL,
    location   text        NOT NULL,
    row_count  bigint      NOT NULL,
    byte_count bigint      NOT NULL,
    created    timestamptz NOT NULL,
    UNIQUE (table_id, name)
);

CREATE TABLE lakegate.files (
    id           bigserial PRIMARY KEY, -- registration order within a partition
    table_id     bigint NOT NULL REFERENCES lakegate.tables (id) ON DELETE CASCADE,
    partition_id bigint NOT NULL REFERENCES lakegate.partitions (id) ON DELETE CASCADE,
    path         text   NOT NULL,
    byte_count   bigint NOT NULL,
    row_count    bigint NOT NULL,
    checksum     text   NOT NULL,
    UNIQUE (table_id, path) -- a file is registered once per table
);
CREATE INDEX files_partition ON lakegate.files (partition_id, id);

CREATE TABLE lakegate.batches (
    seq      bigserial PRIMARY KEY, -- commit order
    id       text   NOT NULL UNIQUE,
    checksum text   NOT NULL,
    version  bigint NOT NULL,
    doc      jsonb  NOT NULL
);
CREATE INDEX batches_checksum ON lakegate.batches (checksum, seq);

-- A dropped table leaves a tombstone at the dropping version; re-creating
-- the table removes it.
CREATE TABLE lakegate.dropped_tables (
    database text   NOT NULL,
    name     text   NOT NULL,
    version  bigint NOT NULL,
    PRIMARY KEY (database, name)
);
CREATE INDEX dropped_tables_version ON lakegate.dropped_tables (version);
