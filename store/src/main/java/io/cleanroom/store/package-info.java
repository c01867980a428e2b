/** JDBC implementation of the metadata store for SQLite (default) and PostgreSQL, with Flyway migrations. */
package io.cleanroom.store;
