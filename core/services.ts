import type { BadRequestBody, Envelope, EventResult, SyncLimits, TokenResponse, WsTokenResponse } from '../contract/index.js';
import type { Deadlines } from './deadlines.js';
import type { EmitIntent } from './emit-context.js';

/** A project's identity as stored in `.kittify/config.yaml` (DESIGN §3). */
export interface ProjectIdentity {
  project_uuid: string;
  project_slug: string;
  /** The node that created the identity (informational; events carry the emitting machine's). */
  node_id: string;
  /** Folder holding `.kittify/`. */
  root: string;
  /** False when the identity could not be written (read-only checkout): derived, in memory. */
  persisted: boolean;
}

export interface IdentityService {
  /** The project's identity, backfilled and persisted if needed; null outside any project. */
  resolve(): Promise<ProjectIdentity | null>;
  /** The root of the project `folder` is in (the nearest folder holding `.kittify/`), or null. */
  projectRootOf(folder: string): string | null;
}

/** This machine's id and Lamport clock, shared by every process of the user. */
export interface MachineClock {
  readonly nodeId: string;
  /** Next value; never repeats or goes backwards, across concurrent processes. */
  tick(): number;
  /** Folds in a clock seen on a received event; returns the next local value. */
  witness(remote: number): number;
}

export interface AuthStatus {
  loggedIn: boolean;
  teamSlug: string;
  username: string | null;
  hubUrl: string | null;
}

export interface AuthClient {
  /** The logged-in team's slug, or "local" when not logged in. */
  getTeamSlug(): string;
  status(): AuthStatus;
}

export type QueueState = 'prepared' | 'pending' | 'held' | 'sent' | 'dead';
export const QUEUE_STATES: readonly QueueState[] = ['prepared', 'pending', 'held', 'sent', 'dead'];

/** One row of the queue as the sync side and `spec-kitty sync queue` see it; times are ISO-8601 UTC. */
export interface QueuedEvent {
  /** Insertion order, shared by all processes; never reused. */
  seq: number;
  event_id: string;
  state: QueueState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  sent_at: string | null;
  /** For held events: the folder the event was emitted in, where `spec-kitty init` adopts it. */
  origin: string | null;
  envelope: Envelope;
}

/** Prepared events are not counted: they wait only until their command (or the next one) settles them. */
export interface QueueCounts {
  pending: number;
  held: number;
  sent: number;
  dead: number;
}

export interface QueueStats {
  path: string;
  /** False when queue.db does not exist yet (nothing was ever queued); the counts are then zero. */
  exists: boolean;
  counts: QueueCounts;
  projects: Array<{ project_uuid: string | null; project_slug: string | null; counts: QueueCounts }>;
  oldestPendingAt: string | null;
  /** When an event of this queue last reached the hub; null when never. */
  lastSyncAt: string | null;
  /** The last failed sync attempt since the last success (ISO time and message), or null. */
  lastSyncError: { at: string; message: string } | null;
}

export interface QueueListFilter {
  state?: QueueState;
  /** A project_uuid or project_slug. */
  project?: string;
  /** Oldest first; 0 or absent = no limit. */
  limit?: number;
}

export interface RecentKey {
  project_uuid: string | null;
  event_type: string;
  aggregate_id: string;
}

/** A queued event waiting for the change it stands for (see EmitChange). */
export interface PreparedEvent {
  event_id: string;
  intent: EmitIntent;
  envelope: Envelope;
}

/** Which held events: those emitted in a project folder (or below it), or from exactly one origin. */
export type HeldFrom = { root: string } | { origin: string | null };

/** The queue as a persist plugin uses it: durable once `enqueue` resolves. */
export interface PersistQueue {
  /**
   * Durable once it resolves; idempotent on event_id (a second insert is a no-op). With an
   * intent the event is kept prepared, never sent, until `commit` (or `discard`).
   */
  enqueue(envelope: Envelope, state: 'pending' | 'held', intent?: EmitIntent | null): Promise<{ inserted: boolean }>;
  /** The change is made: prepared → pending (held without a project identity). */
  commit(eventId: string): Promise<void>;
  /** The change was not made: the prepared event is forgotten. */
  discard(eventId: string): Promise<void>;
  /** Prepared events, oldest first; with `lock`, only those whose change is made under that lock (see lockOf) or to that file. */
  prepared(lock?: string): Promise<PreparedEvent[]>;
  /**
   * Gives held events a project identity and makes them pending: those emitted in `root` or a
   * folder below it, or those held from exactly `origin` (null: held with no folder recorded).
   * `owns` vets each folder (a nested project's events are its own). Returns how many.
   */
  adoptHeld(from: HeldFrom, identity: { project_uuid: string; project_slug: string }, owns?: (origin: string) => boolean): Promise<number>;
  /** Deletes held events (of one origin, or all); returns how many. */
  discardHeld(from: HeldFrom | 'all'): Promise<number>;
  countPending(): Promise<number>;
  /** Deletes sent rows older than `retentionMs`, at most once per interval across processes. */
  pruneSent(retentionMs: number, now?: number): Promise<number>;
}

/** The queue as readers use it: guards, `spec-kitty status` and `spec-kitty sync`. Never creates the file. */
export interface ReadQueue {
  /** `$SPEC_KITTY_HOME/queue.db`. */
  readonly path: string;
  /** Envelopes of one project/type/aggregate queued at or after `since` (epoch ms), any state but dead. */
  recent(key: RecentKey, since: number): Promise<Envelope[]>;
  stats(): Promise<QueueStats>;
  list(filter?: QueueListFilter): Promise<{ total: number; events: QueuedEvent[] }>;
}

/** The queue as the sync side uses it: leases, then settles each event. */
export interface SyncQueue {
  /**
   * Leases up to `limit` deliverable pending events, oldest first, until `now + leaseMs`; rows
   * leased by another process, held rows and rows waiting for their next attempt are skipped
   * (`retryNow`: a row waiting for its next attempt is taken too, as a user's `sync now` asks).
   */
  claim(options: { limit: number; leaseMs: number; now?: number; retryNow?: boolean }): Promise<QueuedEvent[]>;
  /** Accepted (or a duplicate) at the hub. Returns how many rows changed. */
  markSent(eventIds: readonly string[], now?: number): Promise<number>;
  /** A transient failure: counts the attempt, keeps the error, and frees the row at `nextAttemptAt` (epoch ms). */
  markRetry(eventId: string, error: string, nextAttemptAt: number): Promise<void>;
  /** Permanently rejected: never sent again; the reason is kept. */
  markDead(eventId: string, reason: string): Promise<void>;
  /** Frees leased rows that were not sent (a sync stopped at its deadline) without counting an attempt. */
  release(eventIds: readonly string[]): Promise<void>;
  /** Dead events back to pending (all, or the one with `eventId`), attempts reset; returns how many. */
  retryDead(eventId?: string): Promise<number>;
  /** Records how the last sync attempt ended, for `spec-kitty sync status`: null error = it succeeded. */
  recordSync(outcome: { at: number; error: string | null }): Promise<void>;
}

/** A resource the composition root closes when the command is done (the per-user database). */
export interface Closable {
  close(): void;
}

/** Settings of one emitter (one per command run). */
export interface RuntimeOptions {
  /** Where the command runs; the project root is found by walking up from here. */
  cwd: string;
  /** `$SPEC_KITTY_HOME`. */
  home: string;
  verbose: boolean;
  /** How long each phase's taps may take (DEFAULT_DEADLINES unless given; tests shorten them). */
  deadlines?: Partial<Deadlines>;
  /** `command` for the CLI (the process ends with its command); `long` (the default) for embedders. */
  lifetime?: 'command' | 'long';
}

/**
 * How a call to the hub failed. `network`: refused, DNS, reset; `timeout`: no connection or no
 * complete answer in time; then by status: 401, 403, 413, another 4xx, 429, 5xx; `protocol`: an
 * answer that breaks the contract (a 200 with a malformed body, an unexpected status).
 */
export type HubErrorKind =
  | 'network' | 'timeout' | 'unauthorized' | 'forbidden' | 'too_large' | 'bad_request' | 'rate_limited' | 'server' | 'protocol';

/** What a HubClient throws (an Error named "HubError"); its message never holds a token or password. */
export interface HubFailure {
  readonly kind: HubErrorKind;
  /** The HTTP status, or null when no answer came (network, timeout). */
  readonly status: number | null;
  /** The hub's error code (`{"error": …}`), when it gave one. */
  readonly code?: string;
  /** rate_limited: from Retry-After. */
  readonly retryAfterSeconds?: number;
  /** too_large: the hub's limits. */
  readonly limits?: SyncLimits;
  /** bad_request: the events the hub named as the cause. */
  readonly details?: NonNullable<BadRequestBody['details']>;
}

/** True for what a HubClient throws (a HubFailure), whichever copy of the client made it. */
export const isHubFailure = (err: unknown): err is HubFailure & Error =>
  err instanceof Error && err.name === 'HubError' && typeof (err as Partial<HubFailure>).kind === 'string';

/** Where to reach the hub and with what: the stored login, with a usable access token. */
export interface HubAccess {
  server: string;
  token: string;
  teamSlug: string;
  username: string;
}

/**
 * The logged-in session as senders use it. `access` refreshes the access token when near expiry
 * (or, with `force`, after the hub answered 401), holding the cross-process credentials lock;
 * null means logged out, and a 401 on refresh logs out (one warning says how to log in again).
 * A hub that cannot be asked throws its HubFailure: the caller backs off. A refresh, once sent,
 * is seen through even when the caller stops waiting: the hub rotates the token as it answers,
 * and a rotation not saved would spend the stored refresh token and log the user out.
 */
export interface HubSession {
  access(options?: { force?: boolean }): Promise<HubAccess | null>;
}

export interface BatchOptions {
  gzip?: boolean;
  /** Aborting cuts the request; it then fails as a `network` HubFailure. */
  signal?: AbortSignal;
}

/** The ingest limits the hub reports on its health route. */
export type HubLimits = Pick<SyncLimits, 'max_events_per_batch' | 'max_decompressed_bytes_per_batch'>;

/**
 * The hub's HTTP API (DESIGN §6). `server` is the hub's base URL. One request per call, never
 * retried; each bounded by a connect and a total timeout. Failures are HubFailure errors.
 */
export interface HubClient {
  /** Logs in: the token pair and the team slug. */
  token(server: string, username: string, password: string): Promise<TokenResponse>;
  /** Exchanges a refresh token for a rotated pair. */
  refresh(server: string, refreshToken: string): Promise<TokenResponse>;
  /** Revokes the access token (and the refresh token, when given). */
  logout(server: string, access: string, refresh?: string): Promise<void>;
  /** A short-lived token for the WebSocket. */
  wsToken(server: string, access: string): Promise<WsTokenResponse>;
  /**
   * Posts one batch (gzip unless `gzip: false`). The results as the hub gave them, checked against
   * the contract: the caller matches them by event_id (an event without one is to be sent again).
   */
  sendBatch(server: string, access: string, envelopes: readonly Envelope[], options?: BatchOptions): Promise<EventResult[]>;
  /** The hub's ingest limits. */
  health(server: string): Promise<HubLimits>;
  /** Frees its connections (the client is not used after). */
  close(): Promise<void>;
}
