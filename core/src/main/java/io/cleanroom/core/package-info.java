/** Domain records, identifiers, errors and the services that keep the clean room's invariants. */
package io.cleanroom.core;
