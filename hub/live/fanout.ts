import type { WebSocket } from 'ws';
import type { HubStorage, StoredEvent } from '../storage/storage.js';

// The hub's live side: every open WebSocket of a team, by team id. Events newly stored (from a
// batch or a socket, by this process or, on PostgreSQL, by any) come from `storage.subscribe`
// and go to the sockets of their team only. Each socket's send buffer is bounded, sockets that
// stop answering pings are cut, and closing the hub closes every socket with 1001.

export interface LiveOptions {
  /** Keep-alive: each socket is pinged this often; one that did not answer the previous ping is closed. Default 30 s. */
  pingIntervalMs?: number;
  /** A socket with more unsent bytes than this is dropped (1013) instead of queueing more. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** How long a closing socket has to finish the close handshake before it is cut. Default 5 s. */
  closeGraceMs?: number;
  /**
   * How long a new socket may take to drain its snapshot below `maxBufferedBytes` before it is
   * dropped (1013). The snapshot is not counted against the cap (a large team's is over 1 MiB);
   * pushes wait behind it until it drained. Default 60 s.
   */
  snapshotDrainMs?: number;
}

const MAX_SOCKETS_PER_USER = 16;

export const LIVE_DEFAULTS = { pingIntervalMs: 30_000, maxBufferedBytes: 1024 * 1024, closeGraceMs: 5_000, snapshotDrainMs: 60_000 } as const;

/** How often a new socket's buffer is looked at while its snapshot drains. */
const DRAIN_POLL_MS = 20;

/** Close codes the hub uses (RFC 6455 §7.4.1). */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  internal: 1011,
  tryAgainLater: 1013,
} as const;

interface Client {
  socket: WebSocket;
  teamId: number;
  userId: number;
  /** The hash of the dashboard session the socket's ws token was minted on; null for the API's. */
  session: string | null;
  /** Answered (pong, or any frame) since the last ping. */
  alive: boolean;
  /** The snapshot went out: pushes go straight to the socket. Until then they wait, in order. */
  ready: boolean;
  held: string[];
  heldBytes: number;
}

export class LiveHub {
  readonly pingIntervalMs: number;
  readonly maxBufferedBytes: number;
  readonly closeGraceMs: number;
  readonly snapshotDrainMs: number;
  readonly #storage: HubStorage;
  readonly #log: (line: string) => void;
  readonly #sessionLive: (hash: string) => Promise<boolean>;
  readonly #teams = new Map<number, Set<Client>>();
  readonly #clients = new Map<WebSocket, Client>();
  #unsubscribe: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closing: Promise<void> | null = null;

  /** `sessionLive` tells whether a dashboard session is still live (the sweep closes the sockets of one that is not). */
  constructor(storage: HubStorage, log: (line: string) => void, options: LiveOptions = {}, sessionLive: (hash: string) => Promise<boolean> = async () => true) {
    const { pingIntervalMs, maxBufferedBytes, closeGraceMs, snapshotDrainMs } = { ...LIVE_DEFAULTS, ...definedOnly(options) };
    for (const [name, value] of Object.entries({ pingIntervalMs, maxBufferedBytes, closeGraceMs, snapshotDrainMs })) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
    }
    this.pingIntervalMs = pingIntervalMs;
    this.maxBufferedBytes = maxBufferedBytes;
    this.closeGraceMs = closeGraceMs;
    this.snapshotDrainMs = snapshotDrainMs;
    this.#storage = storage;
    this.#log = log;
    this.#sessionLive = sessionLive;
  }

  /** Subscribes to storage and starts the keep-alive timer. */
  start(): void {
    if (this.#unsubscribe || this.#closing) return;
    this.#unsubscribe = this.#storage.subscribe((teamId, events) => this.#push(teamId, events));
    this.#timer = setInterval(() => this.#sweep(), this.pingIntervalMs);
    this.#timer.unref();
  }

  /** How many sockets are open, and their unsent bytes (for tests and a future status page). */
  stats(): { sockets: number; bufferedBytes: number } {
    let bufferedBytes = 0;
    for (const client of this.#clients.values()) bufferedBytes += client.socket.bufferedAmount + client.heldBytes;
    return { sockets: this.#clients.size, bufferedBytes };
  }

  /**
   * Takes in a socket of a team. Pushes are held until `ready()`, so the snapshot goes out first
   * and nothing stored while it was read is missed (an event may come both in the snapshot and
   * as a push; clients key by event_id and Lamport clock). False when the hub is closing: the
   * socket has been closed with 1001.
   */
  add(socket: WebSocket, teamId: number, userId: number, session: string | null = null): boolean {
    if (this.#closing) {
      socket.close(CLOSE.goingAway, 'the hub is shutting down');
      return false;
    }
    // Tokens are cheap to mint: without a cap, one user could hold the hub's memory in sockets.
    if ([...this.#clients.values()].filter((c) => c.userId === userId).length >= MAX_SOCKETS_PER_USER) {
      socket.close(CLOSE.policy, `at most ${MAX_SOCKETS_PER_USER} open sockets per user`);
      return false;
    }
    const client: Client = { socket, teamId, userId, session, alive: true, ready: false, held: [], heldBytes: 0 };
    this.#clients.set(socket, client);
    let team = this.#teams.get(teamId);
    if (!team) this.#teams.set(teamId, (team = new Set()));
    team.add(client);
    const answered = () => { client.alive = true; };
    socket.on('pong', answered);
    socket.on('message', answered);
    socket.once('close', () => this.#forget(client));
    return true;
  }

  /** Sends one message (JSON) to a socket, within its buffer cap; false if it was not sent. */
  send(socket: WebSocket, message: object): boolean {
    const client = this.#clients.get(socket);
    return client ? this.#send(client, JSON.stringify(message)) : false;
  }

  /**
   * The snapshot went out: once the socket's send buffer is back under the cap (the snapshot
   * itself is never counted against it: a large team's is over 1 MiB, and a push checked right
   * behind it would drop every such socket on a real link), what was held is sent and pushes go
   * straight through. A socket that does not drain within `snapshotDrainMs` is dropped (1013).
   */
  async ready(socket: WebSocket): Promise<void> {
    const client = this.#clients.get(socket);
    if (!client || client.ready) return;
    const deadline = Date.now() + this.snapshotDrainMs;
    while (socket.bufferedAmount > this.maxBufferedBytes) {
      if (socket.readyState !== socket.OPEN || this.#clients.get(socket) !== client) return;
      if (Date.now() >= deadline) {
        this.#drop(client, `${socket.bufferedAmount} bytes of its snapshot unsent after ${this.snapshotDrainMs} ms`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    if (this.#clients.get(socket) !== client) return;
    client.ready = true;
    const held = client.held;
    client.held = [];
    client.heldBytes = 0;
    for (const data of held) if (!this.#send(client, data)) return;
  }

  /** Closes (1008) every socket opened on this dashboard session: it was signed out, revoked or expired. */
  closeSession(session: string, why = 'the session ended'): number {
    const clients = [...this.#clients.values()].filter((c) => c.session === session);
    for (const client of clients) {
      this.#log(`ws: closed a socket of an ended dashboard session (team ${client.teamId})`);
      this.closeSocket(client.socket, CLOSE.policy, why);
    }
    return clients.length;
  }

  /** Closes the socket with `code` and cuts it if the peer does not finish the close handshake in time. */
  closeSocket(socket: WebSocket, code: number, reason: string): void {
    const client = this.#clients.get(socket);
    if (client) this.#forget(client);
    closeThenCut(socket, code, reason, this.closeGraceMs);
  }

  /** Stops the timer, unsubscribes, and closes every socket with 1001; resolves once all are closed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      const sockets = [...this.#clients.keys()];
      for (const client of this.#clients.values()) this.#forget(client);
      await Promise.all(sockets.map((socket) => {
        const closed = new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) resolve();
          else socket.once('close', () => resolve());
        });
        closeThenCut(socket, CLOSE.goingAway, 'the hub is shutting down', this.closeGraceMs);
        return closed;
      }));
    })();
    return this.#closing;
  }

  #push(teamId: number, events: StoredEvent[]): void {
    const team = this.#teams.get(teamId);
    if (!team || team.size === 0) return;
    // Serialized once per event, whatever the number of sockets. `type` is ours: an envelope's own
    // `type` key (2.x clients may send one) never overrides it.
    const frames = events.map((event) => {
      const { type: _ignored, ...envelope } = event.envelope as unknown as Record<string, unknown>;
      return JSON.stringify({ type: 'event', ...envelope });
    });
    for (const client of [...team]) {
      for (const data of frames) {
        if (!client.ready) {
          client.held.push(data);
          client.heldBytes += Buffer.byteLength(data);
          if (client.heldBytes > this.maxBufferedBytes) {
            this.#drop(client, `${client.heldBytes} bytes waiting behind the snapshot`);
            break;
          }
        } else if (!this.#send(client, data)) break;
      }
    }
  }

  #send(client: Client, data: string): boolean {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return false;
    // Bounded: a reader that does not keep up is dropped, never allowed to grow the hub's memory.
    // The cap is checked before each send, so a socket holds at most the cap plus one message.
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      this.#drop(client, `${socket.bufferedAmount} bytes unsent`);
      return false;
    }
    try {
      socket.send(data);
      return true;
    } catch {
      return false;
    }
  }

  #drop(client: Client, why: string): void {
    this.#log(`ws: dropped a slow reader (team ${client.teamId}): ${why}, over the cap of ${this.maxBufferedBytes}`);
    this.closeSocket(client.socket, CLOSE.tryAgainLater, 'send buffer full: the client reads too slowly');
  }

  /** A removed user's sockets close at the next sweep: their tokens already fail everywhere else. */
  async #closeRemovedUsers(): Promise<void> {
    const users = [...new Set([...this.#clients.values()].map((c) => c.userId))];
    for (const userId of users) {
      if (await this.#storage.findUserById(userId).catch(() => true)) continue;
      for (const client of [...this.#clients.values()].filter((c) => c.userId === userId)) {
        this.#log(`ws: closed a socket of a removed user (team ${client.teamId})`);
        this.closeSocket(client.socket, CLOSE.policy, 'the user was removed');
      }
    }
  }

  /** A session-bound socket closes at the next sweep once its session expired or was revoked (by any hub process). */
  async #closeEndedSessions(): Promise<void> {
    const sessions = [...new Set([...this.#clients.values()].map((c) => c.session).filter((s): s is string => s !== null))];
    for (const session of sessions) {
      if (await this.#sessionLive(session).catch(() => true)) continue;
      this.closeSession(session, 'the session expired or was revoked');
    }
  }

  /** Keep-alive: cut sockets that did not answer the last ping, ping the others. */
  #sweep(): void {
    void this.#closeRemovedUsers();
    void this.#closeEndedSessions();
    for (const client of [...this.#clients.values()]) {
      if (!client.alive) {
        this.#log(`ws: closed a socket of team ${client.teamId} that did not answer a ping`);
        this.#forget(client);
        // A peer that answers nothing cannot finish a close handshake either: cut it.
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.socket.ping();
      } catch {
        /* not open: its 'close' will forget it */
      }
    }
  }

  #forget(client: Client): void {
    this.#clients.delete(client.socket);
    const team = this.#teams.get(client.teamId);
    team?.delete(client);
    if (team && team.size === 0) this.#teams.delete(client.teamId);
    client.held = [];
    client.heldBytes = 0;
  }
}

/** close(code, reason), then terminate() unless the peer finished the handshake within `graceMs`. */
function closeThenCut(socket: WebSocket, code: number, reason: string, graceMs: number): void {
  if (socket.readyState === socket.CLOSED) return;
  const cut = setTimeout(() => socket.terminate(), graceMs);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
  try {
    socket.close(code, reason);
  } catch {
    socket.terminate();
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
