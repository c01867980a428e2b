/** The cleanroom command: server, admin, catalog, and one sub-command per Clean Rooms operation. */
package io.cleanroom.cli;
