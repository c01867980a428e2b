/**
 * Data where it lives: the clients through which the server reaches an account's data with that
 * account's connection. {@link io.cleanroom.sources.S3Storage} lists, fetches and writes objects of
 * S3-compatible storage (AWS S3, MinIO, Ceph...) with the AWS SDK for Java v2;
 * {@link io.cleanroom.sources.PostgresDatabase} reads a PostgreSQL table's catalog and streams its
 * rows. Every failure is a {@link io.cleanroom.sources.SourceException}: a category anyone may read,
 * and a detail for the data's owner, neither ever with a secret or a value of the data.
 */
package io.cleanroom.sources;
