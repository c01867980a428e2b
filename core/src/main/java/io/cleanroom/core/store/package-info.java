/**
 * The store interface: typed collections of domain records, each kept in its own table with a
 * few indexed columns, changed only inside transactions. Implementations live in the store module.
 */
package io.cleanroom.core.store;
