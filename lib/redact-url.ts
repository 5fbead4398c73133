/** A connection URL as it may be shown: no password, no query (which may carry one); `fallback` if it is not a URL. */
export function redactUrl(url: string, fallback: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return fallback;
  }
}
