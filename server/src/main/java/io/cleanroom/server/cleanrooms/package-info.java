/**
 * The AWS Clean Rooms restJson1 API: one small resource class per resource group, each handler
 * reading its request, calling one service (or the query pipeline) and rendering the answer with
 * {@link io.cleanroom.server.cleanrooms.Render}. Paths, fields, limits and success codes follow the
 * reference.
 */
package io.cleanroom.server.cleanrooms;
