/** Sync limits (DESIGN §6). */

/** Events per batch the hub accepts (2.x clients send up to this many). */
export const MAX_EVENTS_PER_BATCH = 1000;
/** Decompressed bytes of one batch request the hub accepts: 1 MiB. */
export const MAX_DECOMPRESSED_BYTES_PER_BATCH = 1024 * 1024;
/** Bytes of one event (its JSON) the hub accepts: 64 KiB. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Our client keeps each batch's JSON at or under this, well inside the hub's limit: 512 KiB. */
export const CLIENT_MAX_BATCH_BYTES = 512 * 1024;
