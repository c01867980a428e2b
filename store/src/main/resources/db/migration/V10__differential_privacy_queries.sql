-- Protected queries that read a table with differential privacy (see
-- io.cleanroom.core.store.Kinds.DIFFERENTIAL_PRIVACY_QUERIES): their cost, noise and sensitivity
-- parameters, and the keys of the answer cache. query_key names the checked, normalised query;
-- answer_key adds the identity of the data files it read, '' until an answer was released.
CREATE TABLE differential_privacy_queries (
    id VARCHAR(400) PRIMARY KEY,
    collaboration_id VARCHAR(400) NOT NULL,
    query_key VARCHAR(400) NOT NULL,
    answer_key VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX differential_privacy_queries_collaboration_id ON differential_privacy_queries (collaboration_id);
CREATE INDEX differential_privacy_queries_query_key ON differential_privacy_queries (query_key);
CREATE INDEX differential_privacy_queries_answer_key ON differential_privacy_queries (answer_key);
