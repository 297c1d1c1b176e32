-- Each token's SCRAM-SHA-256 verifier, for the PostgreSQL protocol's
-- sign-in (lakegate's scram.go); NULL for tokens made before it was kept.

ALTER TABLE lakegate.tokens ADD COLUMN scram text;
