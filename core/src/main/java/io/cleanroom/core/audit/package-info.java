/**
 * The audit trail: one event per API call, appended to a hash chain in the same transaction as
 * the change it records.
 */
package io.cleanroom.core.audit;
