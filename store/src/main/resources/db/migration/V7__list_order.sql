-- Listings resume after the last item of the previous page (see io.cleanroom.core.store.Position):
-- each listed kind gets its sort key (list_order, e.g. the creation time, newest first) and an index
-- on each column it is listed by, then list_order and id, so a page is one index range scan. Rows
-- stored before this migration get their list_order from migration 7.1 (FillListOrder), which
-- reads each record; '' marks a row it has not filled yet.
ALTER TABLE access_keys ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE configured_tables ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE analysis_templates ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE protected_queries ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';
ALTER TABLE query_logs ADD COLUMN list_order VARCHAR(400) NOT NULL DEFAULT '';

CREATE INDEX access_keys_account_list ON access_keys (account_id, list_order, id);
CREATE INDEX members_account_list ON members (account_id, list_order, id);
CREATE INDEX members_collaboration_list ON members (collaboration_id, list_order, id);
CREATE INDEX memberships_account_list ON memberships (account_id, list_order, id);
CREATE INDEX configured_tables_owner_list ON configured_tables (owner_account_id, list_order, id);
CREATE INDEX associations_membership_list ON associations (membership_id, list_order, id);
CREATE INDEX analysis_templates_membership_list ON analysis_templates (membership_id, list_order, id);
CREATE INDEX analysis_templates_collaboration_list ON analysis_templates (collaboration_id, list_order, id);
CREATE INDEX protected_queries_membership_list ON protected_queries (membership_id, list_order, id);
CREATE INDEX query_logs_membership_list ON query_logs (membership_id, list_order, id);

-- kinds listed by key: catalog databases and tables (accounts use their primary key)
CREATE INDEX catalog_databases_account_list ON catalog_databases (account_id, id);
CREATE INDEX catalog_tables_database_list ON catalog_tables (database_key, id);
