import type { IngestEnvelope } from '../../contract/index.js';

// The hub's storage, one interface with two implementations (SQLite, PostgreSQL) that
// pass one behaviour suite (test/hub/storage/). Every read and write is scoped to a team id.
// Times are epoch milliseconds; secrets are only ever stored hashed (the hub hashes them).

export interface Team {
  id: number;
  slug: string;
}

export interface User {
  id: number;
  name: string;
  team: Team;
  /** The scrypt hash, with its parameters and salt (hub/auth/passwords.ts). */
  passwordHash: string;
  createdAt: number;
}

/** `session`: a dashboard sign-in (hub/auth/sessions.ts), carried by a cookie. */
export type TokenKind = 'access' | 'refresh' | 'ws' | 'session';

export interface StoredToken {
  /** SHA-256 of the token, hex: the token itself is never stored. */
  hash: string;
  kind: TokenKind;
  userId: number;
  /** Refresh tokens of one login share a family; a reused refresh token revokes it whole. */
  family: string;
  expiresAt: number;
  /** Set when a refresh or ws token has been used (refresh: rotated; ws: spent). */
  usedAt: number | null;
  revokedAt: number | null;
}

/** The outcome of ingesting one event: exactly one per event given, in order. */
export interface IngestResult {
  event_id: string;
  status: 'success' | 'duplicate' | 'rejected';
  error_message?: string;
}

/** An event as stored: the envelope as received, plus the team's view of it. */
export interface StoredEvent {
  /** Per-hub insertion order: `before` pagination and live resync use it. */
  seq: number;
  envelope: IngestEnvelope;
  receivedAt: number;
}

export interface BoardWp {
  wp_id: string;
  lane: string;
  title: string | null;
  /** The event that set the lane: events apply in causal order (Lamport clock, then node id). */
  lamport_clock: number;
  node_id: string;
  updated_at: string;
}

export interface BoardFeature {
  feature_slug: string;
  name: string | null;
  completed_at: string | null;
  wps: BoardWp[];
}

export interface BoardProject {
  project_uuid: string;
  /** From the latest event (by Lamport clock, then node id). */
  project_slug: string;
  features: BoardFeature[];
  /** Node ids that contributed events, sorted. */
  node_ids: string[];
  event_count: number;
  last_event_at: string | null;
}

export interface HubStorage {
  /** Applies pending schema migrations (versioned); safe to call from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Accounts
  ensureTeam(slug: string): Promise<Team>;
  listTeams(): Promise<Array<Team & { users: number }>>;
  /** Fails with HubStorageError code 'exists' if the name is taken. */
  addUser(name: string, teamId: number, passwordHash: string, now: number): Promise<User>;
  findUser(name: string): Promise<User | null>;
  /** The user a token belongs to; null once removed. */
  findUserById(id: number): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** Removes the user and revokes their tokens; false if there was none. */
  removeUser(name: string): Promise<boolean>;

  // Tokens (stored hashed)
  putToken(token: StoredToken): Promise<void>;
  findToken(hash: string): Promise<StoredToken | null>;
  /**
   * Marks an unused, unrevoked, unexpired token used, atomically: true for exactly one caller,
   * however many race (refresh rotation, single-use ws tokens).
   */
  useToken(hash: string, now: number): Promise<boolean>;
  revokeToken(hash: string, now: number): Promise<void>;
  revokeFamily(family: string, now: number): Promise<void>;
  /** Deletes tokens expired before `now`; returns how many. */
  pruneTokens(now: number): Promise<number>;

  // Events and the board
  /**
   * Stores each event once per (team, event_id) and applies it to the team's board, all of a
   * call's events or none (SQLite commits calls made at once together, in one transaction); a
   * resent event answers 'duplicate'. Envelopes must be valid already (the hub validates them
   * with the contract first); this only stores and materializes. `jsons`, when given, are the
   * envelopes as JSON (as received, or serialized for the size check): a storage may store
   * those instead of serializing again.
   */
  ingest(teamId: number, envelopes: IngestEnvelope[], now: number, jsons?: string[]): Promise<IngestResult[]>;
  projects(teamId: number): Promise<BoardProject[]>;
  /** Newest first; `before` is a seq from an earlier page. Empty for another team's project. */
  events(teamId: number, projectUuid: string, options: { limit: number; before?: number }): Promise<StoredEvent[]>;

  // Live fan-out
  /**
   * Calls `listener` with every event newly stored (status 'success'), by any hub process on
   * this storage, after its transaction committed: in-process for SQLite, LISTEN/NOTIFY for
   * PostgreSQL. Returns the unsubscribe function.
   */
  subscribe(listener: (teamId: number, events: StoredEvent[]) => void): () => void;
}

export class HubStorageError extends Error {
  constructor(readonly code: 'exists' | 'unavailable', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubStorageError';
  }
}
