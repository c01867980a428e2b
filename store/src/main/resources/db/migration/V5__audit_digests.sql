-- Signed digests and checkpoints of the audit chain (see io.cleanroom.core.store.Kinds.AUDIT_DIGESTS).
CREATE TABLE audit_digests (
    id VARCHAR(400) PRIMARY KEY,
    body TEXT NOT NULL
);
