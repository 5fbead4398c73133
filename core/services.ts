import type { Envelope } from './envelope.js';

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

export type QueueState = 'pending' | 'held' | 'sent' | 'dead';

/** The durable offline queue as the persist phase sees it; the sync side has a wider API. */
export interface EventQueue {
  /** Durable once it resolves; idempotent on event_id (a second insert is a no-op). */
  enqueue(envelope: Envelope, state: 'pending' | 'held'): Promise<{ inserted: boolean }>;
  close(): void;
}

/** Settings of one emitter (one per command run). */
export interface RuntimeOptions {
  /** Where the command runs; the project root is found by walking up from here. */
  cwd: string;
  /** `$SPEC_KITTY_HOME`. */
  home: string;
  verbose: boolean;
}
