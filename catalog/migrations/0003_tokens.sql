-- API tokens: only the SHA-256 of each token's secret is kept (the token
-- itself is shown once, at creation). Expired and revoked tokens stay, so
-- that `lakegate token ls` can say what happened to them.

CREATE TABLE lakegate.tokens (
    id        text        PRIMARY KEY,       -- 16 hex digits, the public part
    hash      text        NOT NULL,          -- hex SHA-256 of the secret
    user_name text        NOT NULL,
    tenant    text        NOT NULL,
    role      text        NOT NULL,
    created   timestamptz NOT NULL,
    expires   timestamptz,                   -- NULL: never
    revoked   timestamptz                    -- NULL: not revoked
);
