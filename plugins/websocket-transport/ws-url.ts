/** The hub's WebSocket endpoint under its base URL: http → ws, https → wss, any base path kept. */
export function wsUrl(server: string): string {
  const base = new URL(server.endsWith('/') ? server : `${server}/`);
  const url = new URL('ws/v1/events/', base);
  url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
