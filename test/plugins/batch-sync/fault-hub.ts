import type { ExecutionContext } from 'ava';
import type { ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Envelope } from '../../../contract/index.js';
import { httpServer, type Seen } from '../../services/hub-client/fault-server.js';

export interface HubRequest {
  /** When it arrived (epoch ms). */
  at: number;
  path: string;
  headers: Seen['headers'];
  /** The batch's events (gunzipped); empty for other routes. */
  events: Envelope[];
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this much later. */
  delayMs?: number;
}

/** 200, every event a success. */
export const accept = (req: HubRequest): Answer => ({ status: 200, body: { results: req.events.map((e) => ({ event_id: e.event_id, status: 'success' })) } });

/**
 * A fake hub: each request is answered by `answer` (given the request and how many came before);
 * everything it received is in `requests`. Built on the hub client's fault server, closed at teardown.
 */
export async function fakeHub(t: ExecutionContext, answer: (req: HubRequest, index: number) => Answer) {
  const requests: HubRequest[] = [];
  const url = await httpServer(t, (res: ServerResponse, seen: Seen) => {
    const gzip = seen.headers['content-encoding'] === 'gzip';
    const text = seen.body.length ? (gzip ? gunzipSync(seen.body) : seen.body).toString('utf8') : '';
    const parsed = text ? JSON.parse(text) as { events?: Envelope[] } : {};
    const req: HubRequest = { at: Date.now(), path: seen.url, headers: seen.headers, events: parsed.events ?? [] };
    const a = answer(req, requests.length);
    requests.push(req);
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    };
    if (a.delayMs) setTimeout(send, a.delayMs).unref();
    else send();
  });
  const batches = () => requests.filter((r) => r.path === '/api/v1/events/batch/');
  return { url, requests, batches };
}

/** Event ids the fake hub answered `success` for, in all its batches (ids repeat if accepted twice). */
export function acceptedIds(requests: readonly HubRequest[], answered: (req: HubRequest) => boolean): string[] {
  return requests.filter(answered).flatMap((r) => r.events.map((e) => e.event_id));
}
