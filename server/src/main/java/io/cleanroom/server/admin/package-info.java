/**
 * The operator's admin API (accounts, access keys, data roots, the audit trail's verification,
 * export, digests and pruning) and the keeper of the audit trail's signed digests.
 */
package io.cleanroom.server.admin;
