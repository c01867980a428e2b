-- One table per kind of record (see io.cleanroom.core.store.Kinds): the key, the columns records
-- are found by, and the record itself as JSON. Runs unchanged on SQLite and PostgreSQL.

CREATE TABLE accounts (
    id VARCHAR(400) PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE access_keys (
    id VARCHAR(400) PRIMARY KEY,
    account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX access_keys_account_id ON access_keys (account_id);

CREATE TABLE collaborations (
    id VARCHAR(400) PRIMARY KEY,
    creator_account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX collaborations_creator_account_id ON collaborations (creator_account_id);

CREATE TABLE members (
    id VARCHAR(400) PRIMARY KEY,
    collaboration_id VARCHAR(400) NOT NULL,
    account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX members_collaboration_id ON members (collaboration_id);
CREATE INDEX members_account_id ON members (account_id);

CREATE TABLE memberships (
    id VARCHAR(400) PRIMARY KEY,
    collaboration_id VARCHAR(400) NOT NULL,
    account_id VARCHAR(400) NOT NULL,
    collaboration_account VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX memberships_collaboration_id ON memberships (collaboration_id);
CREATE INDEX memberships_account_id ON memberships (account_id);
CREATE UNIQUE INDEX memberships_collaboration_account ON memberships (collaboration_account);

CREATE TABLE configured_tables (
    id VARCHAR(400) PRIMARY KEY,
    owner_account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX configured_tables_owner_account_id ON configured_tables (owner_account_id);

CREATE TABLE table_rules (
    id VARCHAR(400) PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE associations (
    id VARCHAR(400) PRIMARY KEY,
    membership_id VARCHAR(400) NOT NULL,
    collaboration_id VARCHAR(400) NOT NULL,
    configured_table_id VARCHAR(400) NOT NULL,
    membership_name VARCHAR(400) NOT NULL,
    collaboration_name VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX associations_membership_id ON associations (membership_id);
CREATE INDEX associations_collaboration_id ON associations (collaboration_id);
CREATE INDEX associations_configured_table_id ON associations (configured_table_id);
CREATE UNIQUE INDEX associations_membership_name ON associations (membership_name);
CREATE UNIQUE INDEX associations_collaboration_name ON associations (collaboration_name);

CREATE TABLE association_rules (
    id VARCHAR(400) PRIMARY KEY,
    association_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX association_rules_association_id ON association_rules (association_id);

CREATE TABLE analysis_templates (
    id VARCHAR(400) PRIMARY KEY,
    membership_id VARCHAR(400) NOT NULL,
    collaboration_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX analysis_templates_membership_id ON analysis_templates (membership_id);
CREATE INDEX analysis_templates_collaboration_id ON analysis_templates (collaboration_id);

CREATE TABLE tags (
    id VARCHAR(400) PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE catalog_databases (
    id VARCHAR(400) PRIMARY KEY,
    account_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX catalog_databases_account_id ON catalog_databases (account_id);

CREATE TABLE catalog_tables (
    id VARCHAR(400) PRIMARY KEY,
    database_key VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX catalog_tables_database_key ON catalog_tables (database_key);
