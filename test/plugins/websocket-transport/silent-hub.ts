import type { ExecutionContext } from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A hub stand-in for the socket's keep-alive: it hands out ws tokens, upgrades, sends the
 * snapshot, then never answers a ping (a connection dead behind a NAT looks like this).
 * `connections` counts upgrades; everything is closed at teardown.
 */
export async function silentHub(t: ExecutionContext): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(req.url === '/api/v1/ws-token/' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ws_token: 'w'.repeat(43), expires_in: 60 }));
    });
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    connections += 1;
    ws.send(JSON.stringify({ type: 'snapshot', work_packages: [], projects: [] }));
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const ws of wss.clients) ws.terminate();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, connections: () => connections };
}
