import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { MAX_EVENT_BYTES, WP_LANES, type Lane } from '../../contract/index.js';
import type { WsAckMessage, WsPongMessage } from '../../contract/sync.js';
import type { HubDeps } from '../deps.js';
import { HttpError, unauthorized } from '../http/errors.js';
import { ingestEvents } from '../ingest/ingest.js';
import { CLOSE, LiveHub, type LiveOptions } from '../live/fanout.js';
import type { HubStorage, Team, User } from '../storage/storage.js';

export const WS_PATH = '/ws/v1/events/';

// A frame larger than this closes the socket (1009) without being read; an event under it but
// over the per-event limit gets a `rejected` ack, as in a batch. One event a frame: twice the
// per-event limit leaves room for the envelope's own keys.
const MAX_FRAME_BYTES = 2 * MAX_EVENT_BYTES;
// Frames waiting for their ack, per socket: past this, the socket is not read until they are
// done. With the frame cap, at most a few MiB wait per socket.
const INBOX_HIGH = 16;

/** The frame's event could not be stored (the storage failed, not the event): the socket closes with 1013. */
const STORAGE_FAILED = Symbol('storage failed');

/** The user a ws token stood for (and the dashboard session it was minted on), from the upgrade's hook to its handler. */
const upgraded = new WeakMap<object, { user: User; session: string | null }>();

/**
 * WebSocket `/ws/v1/events/` (DESIGN §6): authenticated on the upgrade by a single-use ws token;
 * the snapshot of the team's board first; events in, acked like a batch; every event of the team
 * pushed live; ping/pong; bounded send buffers; 1001 on shutdown.
 */
export async function wsRoutes(app: FastifyInstance, deps: HubDeps, options: LiveOptions & { log(line: string): void }): Promise<LiveHub> {
  const { storage, tokens, sessions, now } = deps;
  const live = new LiveHub(storage, options.log, options, (hash) => sessions.isLive(hash));
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES },
    // Replaces the plugin's default (a close without a code): every socket gets 1001, going away.
    preClose: async function closeSockets(this: FastifyInstance) {
      await live.close();
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });
  live.start();

  app.route({
    method: 'GET',
    url: WS_PATH,
    // Refused before the upgrade: a bad, missing or spent token is a 401 and no socket is opened.
    onRequest: async (request: FastifyRequest) => {
      if (!request.ws) return; // a plain GET is answered 426 below and spends no token
      upgraded.set(request.raw, await tokens.consumeWsGrant(wsTokenOf(request)));
    },
    handler: async () => {
      throw new HttpError(426, 'upgrade_required', `${WS_PATH} is a WebSocket endpoint`);
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const grant = upgraded.get(request.raw);
      upgraded.delete(request.raw);
      if (!grant) {
        socket.close(CLOSE.policy, 'not authenticated');
        return;
      }
      session(socket, grant.user, grant.session, live, storage, now, options.log);
    },
  });
  return live;
}

/**
 * The ws token: `Authorization: Bearer <ws_token>` on the upgrade, or `?token=<ws_token>`,
 * because browsers cannot set headers on a WebSocket (the dashboard uses the query). The request
 * log never writes a query string, and the token works once and lives 60 s.
 */
function wsTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string' && query.token !== '') return query.token;
  throw unauthorized('a ws token is required: Authorization: Bearer <ws_token>, or ?token=<ws_token>');
}

/** One socket: the snapshot first, then its frames in order, one answer each. */
function session(socket: WebSocket, user: User, signedIn: string | null, live: LiveHub, storage: HubStorage, now: () => number, log: (line: string) => void): void {
  const { team } = user;
  // The request log's line for an upgrade (fastify logs no response for it); never the token.
  log(`GET ${WS_PATH} 101 (team ${team.slug})`);
  if (!live.add(socket, team.id, user.id, signedIn)) return;
  // Listened to at once, so nothing sent right after the upgrade is lost; handled after the snapshot.
  const inbox: Buffer[] = [];
  let started = false;
  let draining = false;

  const drain = async () => {
    if (draining || !started) return;
    draining = true;
    try {
      while (inbox.length > 0 && socket.readyState === socket.OPEN) {
        const frame = inbox.shift()!;
        if (socket.isPaused && inbox.length < INBOX_HIGH / 2) socket.resume();
        const answer = await answerFrame(frame, team, storage, now, log);
        if (answer === STORAGE_FAILED) {
          // No ack at all, and none for the frames behind it: the client resends every unacked
          // event on its next socket. A `rejected` ack would make it drop the event for good.
          live.closeSocket(socket, CLOSE.tryAgainLater, 'the hub could not store the event: reconnect and send it again');
          break;
        }
        if (answer) live.send(socket, answer);
      }
    } finally {
      draining = false;
    }
  };

  socket.on('message', (data: RawData) => {
    inbox.push(toBuffer(data));
    // Backpressure: a client that sends faster than the hub stores waits, unread, in TCP.
    if (inbox.length >= INBOX_HIGH) socket.pause();
    void drain();
  });

  void (async () => {
    try {
      const snapshot = await snapshotOf(storage, team);
      if (socket.readyState !== socket.OPEN) return;
      live.send(socket, snapshot);
      // Pushes (and acks) wait until the snapshot drained: it is not counted against the cap.
      await live.ready(socket);
      started = true;
      void drain();
    } catch (error) {
      log(`ws: the snapshot could not be read: ${(error as Error).message}`);
      live.closeSocket(socket, CLOSE.internal, 'the hub could not read the board');
    }
  })();
}

/** The snapshot (contract WsSnapshotMessage), with each project's full board as extra keys for the dashboard. */
export async function snapshotOf(storage: HubStorage, team: Team): Promise<Record<string, unknown>> {
  const projects = await storage.projects(team.id);
  const work_packages = projects.flatMap((project) => project.features.flatMap((feature) => feature.wps
    .filter((wp) => isLane(wp.lane))
    .map((wp) => ({ project_uuid: project.project_uuid, feature_slug: feature.feature_slug, wp_id: wp.wp_id, lane: wp.lane }))));
  return { type: 'snapshot', team_slug: team.slug, work_packages, projects };
}

const isLane = (lane: string): lane is Lane => (WP_LANES as readonly string[]).includes(lane);

/**
 * What a frame gets back: an event (bare, as 2.x clients send it, or with `"type":"event"`) an ack
 * from the same ingest as a batch; a ping a pong; a pong nothing. Anything else a `rejected` ack,
 * with the event id when there is one (`""` otherwise, as in a batch), and the socket stays open.
 */
async function answerFrame(frame: Buffer, team: Team, storage: HubStorage, now: () => number, log: (line: string) => void): Promise<WsAckMessage | WsPongMessage | null | typeof STORAGE_FAILED> {
  let message: unknown;
  try {
    message = JSON.parse(frame.toString('utf8'));
  } catch {
    return rejected('', 'the frame is not valid JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return rejected('', 'the frame must be a JSON object: an event, or {"type":"ping"}');
  }
  const { type, ...rest } = message as Record<string, unknown>;
  if (type === 'ping') return { type: 'pong', timestamp: new Date(now()).toISOString() };
  if (type === 'pong') return null;
  if (type !== undefined && type !== 'event') {
    return rejected(idOf(rest), `unknown message type ${JSON.stringify(type)}: send an event, bare or with "type":"event", or a ping`);
  }
  try {
    const [result] = await ingestEvents(storage, team, [rest], now());
    return { type: 'ack', ...result };
  } catch (error) {
    // Nothing the event did: never `rejected` (final for clients), the socket closes instead.
    log(`ws: an event could not be stored: ${(error as Error).message}`);
    return STORAGE_FAILED;
  }
}

const rejected = (event_id: string, error_message: string): WsAckMessage => ({ type: 'ack', event_id, status: 'rejected', error_message });

const idOf = (message: Record<string, unknown>): string => {
  const id = message.event_id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '';
};

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
