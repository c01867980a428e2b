/**
 * The server: HTTP front door, SigV4 authentication, role policy, the AWS Clean Rooms restJson1
 * wire layer, the Glue awsJson1.1 catalog subset, the operator's admin API, and the composition
 * root that wires services to the store.
 */
package io.cleanroom.server;
