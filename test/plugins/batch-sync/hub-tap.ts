import type { ExecutionContext } from 'ava';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TestHub } from '../../hub/hub-fixture.js';

/**
 * A proxy in front of a real hub that keeps every batch result the hub gave: how many events
 * it took as new and how many it had already, over all the processes that sent to it.
 */
export async function resultsTap(t: ExecutionContext, target: string) {
  const statuses: Record<string, number> = {};
  const successIds: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(target + req.url, { method: req.method, headers, body });
    const text = await answer.text();
    if (req.url === '/api/v1/events/batch/' && answer.status === 200) {
      for (const r of (JSON.parse(text) as { results: Array<{ event_id: string; status: string }> }).results) {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 'success') successIds.push(r.event_id);
      }
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, statuses, successIds };
}

/** Every event_id the hub holds for a project, read page by page through its read API. */
export async function hubEventIds(hub: TestHub, token: string, projectUuid: string): Promise<string[]> {
  const ids: string[] = [];
  let before: number | null = null;
  do {
    const r = await hub.call(`/api/v1/projects/${projectUuid}/events/?limit=500${before ? `&before=${before}` : ''}`, { token });
    if (r.status !== 200) throw new Error(`events of ${projectUuid}: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(...(r.body.events as Array<{ envelope: { event_id: string } }>).map((e) => e.envelope.event_id));
    before = r.body.next_before;
  } while (before !== null);
  return ids;
}
