-- Saved queries: the canned queries users save, per tenant. The query is
-- kept whole as JSONB (lakegate.SavedQuery); the rules that check it live
-- in package queries, not in SQL.

CREATE TABLE lakegate.saved_queries (
    tenant  text        NOT NULL,
    name    text        NOT NULL,
    doc     jsonb       NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, name)
);
