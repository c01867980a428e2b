-- Connections (see io.cleanroom.core.store.Kinds.CONNECTIONS): how the server reaches an account's
-- data in S3-compatible storage or PostgreSQL. Keyed by account and lower-cased name, so names are
-- unique in an account without regard to case; listed by key. The secret inside the body is sealed
-- under the master key.
CREATE TABLE connections (
    id VARCHAR(400) PRIMARY KEY,
    account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX connections_account_list ON connections (account_id, id);
