-- The audit trail (see io.cleanroom.core.store.Kinds.AUDIT_EVENTS): one row per API call, keyed by
-- its zero-padded sequence number, each carrying its predecessor's hash and its own.
CREATE TABLE audit_events (
    id VARCHAR(400) PRIMARY KEY,
    account_id VARCHAR(400) NOT NULL,
    collaboration_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX audit_events_account_id ON audit_events (account_id);
CREATE INDEX audit_events_collaboration_id ON audit_events (collaboration_id);
