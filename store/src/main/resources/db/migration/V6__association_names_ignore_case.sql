-- Association names are unique in a collaboration without regard to case, as queries resolve them
-- (AssociationService checks this and gives the readable message; this index is the backstop).
-- Rows stored before this migration whose names differ only in case stay readable: they are marked
-- here (a column the application never writes), the index leaves marked rows out, and a query that
-- names such a table is refused until one of them is renamed. Association names are ASCII (the
-- TableAlias pattern), so LOWER folds them the same way on SQLite, PostgreSQL and in Java.
ALTER TABLE associations ADD COLUMN stored_name_clash INTEGER NOT NULL DEFAULT 0;

UPDATE associations SET stored_name_clash = 1
WHERE EXISTS (
    SELECT 1 FROM associations other
    WHERE other.collaboration_id = associations.collaboration_id
      AND other.id <> associations.id
      AND LOWER(other.collaboration_name) = LOWER(associations.collaboration_name));

CREATE UNIQUE INDEX associations_collaboration_name_ignore_case
    ON associations (LOWER(collaboration_name)) WHERE stored_name_clash = 0;
