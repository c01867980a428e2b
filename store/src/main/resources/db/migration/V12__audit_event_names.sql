-- LookupEvents filtered by EventName (the console's audit trail by operation) reads only the events of
-- that name: each event's name is a column (see io.cleanroom.core.store.Kinds.AUDIT_EVENTS) with an
-- index on (event_name, id), newest first by a backwards range scan. Events stored before this migration
-- get their name from migration 12.1 (AuditEventNameMigration), which reads each event; '' marks a row it
-- has not filled yet.
ALTER TABLE audit_events ADD COLUMN event_name VARCHAR(400) NOT NULL DEFAULT '';
CREATE INDEX audit_events_event_name ON audit_events (event_name, id);
-- LookupEvents by Username reads the events of that account the same way, newest first: (account_id, id)
-- serves the order too, which the index on account_id alone made a sort of every event of the account.
CREATE INDEX audit_events_account_list ON audit_events (account_id, id);
DROP INDEX audit_events_account_id;
