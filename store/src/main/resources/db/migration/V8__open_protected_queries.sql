-- The concurrency quotas count a membership's and an account's protected queries that have not
-- ended. A query carries its membership and its runner again in open_membership_id and open_runner
-- while it has not ended, '' once it has (see io.cleanroom.core.store.Kinds.PROTECTED_QUERIES), so
-- the count reads the few open queries through an index instead of every query ever run. Rows
-- stored before this migration keep ''; the server ends every query left open when it starts
-- (ProtectedQueries.recover), before it counts any.
ALTER TABLE protected_queries ADD COLUMN open_membership_id VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE protected_queries ADD COLUMN open_runner VARCHAR(400) NOT NULL DEFAULT '';
CREATE INDEX protected_queries_open_membership_id ON protected_queries (open_membership_id);
CREATE INDEX protected_queries_open_runner ON protected_queries (open_runner);
