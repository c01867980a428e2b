/**
 * The engine boundary: what an engine implements ({@link io.cleanroom.engine.spi.QueryEngine}, found
 * through {@link io.cleanroom.engine.spi.EngineFactory} and {@link java.util.ServiceLoader}) and
 * what it is given: an {@link io.cleanroom.engine.spi.ExecutableQuery}, which only query control
 * issues, with SQL rendered in the engine's dialect, each table bound to its typed, allowed columns
 * and its data, and the limits to hold to. Depends on core and the JDK only.
 */
package io.cleanroom.engine.spi;
