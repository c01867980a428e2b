/**
 * What clients and the server share, without the server: the Clean Rooms operations Cleanroom serves
 * ({@link io.cleanroom.client.Operation}, which the server routes by and the CLI builds its commands
 * from) and a SigV4-signing HTTP client ({@link io.cleanroom.client.SignedHttpClient}). The member
 * commands of the CLI need nothing else of Cleanroom.
 */
package io.cleanroom.client;
