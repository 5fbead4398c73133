/** Regular expressions of the wire contract, as JSON Schema `pattern` sources (no flags). */

/** Crockford base32, 26 chars, uppercase (what every ULID library emits). */
export const ULID = '^[0-9A-HJKMNP-TV-Z]{26}$';
/** Any-case RFC 4122 layout; JSON Schema patterns take no flags, hence both cases. */
export const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** 12 lowercase hex chars (DESIGN §3). */
export const NODE_ID = '^[0-9a-f]{12}$';
const DATE_TIME = '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d+)?';
/** ISO-8601 UTC ending in `Z`, optional fraction, e.g. `Date#toISOString()`. */
export const ISO_UTC = `^${DATE_TIME}Z$`;
/** What 2.x clients send as well: microseconds and a `+00:00` offset (DESIGN §6). */
export const ISO_UTC_LENIENT = `^${DATE_TIME}(Z|\\+00:00)$`;
export const WP_ID = '^WP\\d{2}$';
