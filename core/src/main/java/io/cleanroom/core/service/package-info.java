/**
 * Services that carry out each operation and keep the invariants: who may see and change what,
 * the shape rules of the reference, and the quotas. Each call runs in one store transaction.
 */
package io.cleanroom.core.service;
