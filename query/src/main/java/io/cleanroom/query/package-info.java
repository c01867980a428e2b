/**
 * A protected query's life, between the wire and the engine: {@link io.cleanroom.query.ProtectedQueries}
 * starts a query (checks, quotas, query log), runs it on a worker (checked again, its tables' files
 * pinned, the engine found through the engine SPI), recovers after a restart, and keeps its result
 * encrypted ({@link io.cleanroom.query.ResultStore}) or writes it to a mapped bucket
 * ({@link io.cleanroom.query.S3Outputs}). The data a query reads is located inside its owner's data
 * roots ({@link io.cleanroom.query.DataLocation}) and pinned open ({@link io.cleanroom.query.PinnedFiles}),
 * so the engine reads exactly the files that were checked. Nothing here knows HTTP or a named engine.
 */
package io.cleanroom.query;
