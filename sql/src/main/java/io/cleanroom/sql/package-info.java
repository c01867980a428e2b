/**
 * Query control: parses a query with Calcite, validates it against the collaboration's schemas,
 * enforces every analysis rule of every referenced table on the validated tree, and produces the
 * rewritten, checked query that alone may reach an engine.
 */
package io.cleanroom.sql;
