/** The URL of `path` (absolute, e.g. `/api/v1/token/`) under the hub's base URL, which may have a path of its own. */
export function hubUrl(server: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new TypeError('the hub URL is not a valid URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`the hub URL must be http(s), not ${base.protocol}`);
  if (base.username || base.password) throw new TypeError('the hub URL must not carry credentials');
  base.search = '';
  base.hash = '';
  base.pathname = base.pathname.replace(/\/+$/, '') + path;
  return base;
}
