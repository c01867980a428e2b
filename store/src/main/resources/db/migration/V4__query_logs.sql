-- Query logs of contributing members (see io.cleanroom.core.store.Kinds.QUERY_LOGS).
CREATE TABLE query_logs (
    id VARCHAR(400) PRIMARY KEY,
    membership_id VARCHAR(400) NOT NULL,
    query_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX query_logs_membership_id ON query_logs (membership_id);
CREATE INDEX query_logs_query_id ON query_logs (query_id);
