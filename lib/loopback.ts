import { isIP } from 'node:net';

/** True for a host name or address on this machine: 127.0.0.0/8, ::1, localhost. `hostname` is a URL's (normalised). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:7f/.test(host);
  return false;
}
