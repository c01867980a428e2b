-- Protected queries (see io.cleanroom.core.store.Kinds.PROTECTED_QUERIES).
CREATE TABLE protected_queries (
    id VARCHAR(400) PRIMARY KEY,
    collaboration_id VARCHAR(400) NOT NULL,
    membership_id VARCHAR(400) NOT NULL,
    runner VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX protected_queries_membership_id ON protected_queries (membership_id);
CREATE INDEX protected_queries_runner ON protected_queries (runner);
CREATE INDEX protected_queries_collaboration_id ON protected_queries (collaboration_id);
