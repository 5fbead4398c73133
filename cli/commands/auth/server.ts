import { isLoopback } from '../../../lib/loopback.js';
import { UserError } from '../../../core/errors.js';
import { EXIT } from '../../exit-codes.js';

// Shared with the hub, which marks its session cookie Secure unless it listens on loopback.
export { isLoopback } from '../../../lib/loopback.js';

/** The hub URL checked and tidied (no trailing slash): https, or http to a loopback host. Exit 2 otherwise. */
export function checkServerUrl(server: string, from: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    // Not repeated: a mistyped URL may still carry a password.
    throw new UserError(`the hub URL (${from}) is not a valid URL; give it like https://hub.example.com`, EXIT.usage);
  }
  if (url.username || url.password) throw new UserError(`the hub URL (${from}) must not carry a user name or password`, EXIT.usage);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new UserError(`refusing plain http to ${url.host} (${from}): tokens and passwords would cross the network unencrypted; use https:// (http is allowed only to 127.0.0.0/8, ::1 or localhost)`, EXIT.usage);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`the hub URL (${from}) must start with https:// (not ${url.protocol})`, EXIT.usage);
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
