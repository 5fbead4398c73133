// The rows both hub storages read (SQLite and PostgreSQL have the same tables) and what they
// become: accounts, tokens, events, and the board's state for hub/materialize.
import type { FeatureState, ProjectState, Stamp, WpState } from '../materialize/index.js';
import type { StoredToken, TokenKind, User } from './storage.js';

export interface UserRow {
  id: number;
  name: string;
  team_id: number;
  team_slug: string;
  password_hash: string;
  created_at: number;
}

export interface TokenRow {
  hash: string;
  kind: TokenKind;
  user_id: number;
  family: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

export interface EventRow {
  seq: number;
  envelope: string;
  received_at: number;
}

export interface ProjectRow {
  project_uuid: string;
  project_slug: string | null;
  slug_lamport: number | null;
  slug_node: string | null;
  slug_event: string | null;
  event_count: number;
  last_event_at: string | null;
  node_ids: string;
}

export interface FeatureRow {
  project_uuid: string;
  feature_slug: string;
  name: string | null;
  name_lamport: number | null;
  name_node: string | null;
  name_event: string | null;
  completed_at: string | null;
  completed_lamport: number | null;
  completed_node: string | null;
  completed_event: string | null;
}

export interface WpRow {
  project_uuid: string;
  feature_slug: string;
  wp_id: string;
  lane: string;
  lane_lamport: number;
  lane_node: string;
  lane_event: string;
  updated_at: string;
  title: string | null;
  title_lamport: number | null;
  title_node: string | null;
  title_event: string | null;
}

export const stamp = (lamport: number | null, node: string | null, event: string | null): Stamp | null =>
  lamport === null || node === null || event === null ? null : { lamport, node, event };

export const projectState = (r: ProjectRow): ProjectState => ({
  project_uuid: r.project_uuid,
  project_slug: r.project_slug,
  slug_stamp: stamp(r.slug_lamport, r.slug_node, r.slug_event),
  event_count: r.event_count,
  last_event_at: r.last_event_at,
  node_ids: JSON.parse(r.node_ids) as string[],
});

export const featureState = (r: FeatureRow): FeatureState => ({
  feature_slug: r.feature_slug,
  name: r.name,
  name_stamp: stamp(r.name_lamport, r.name_node, r.name_event),
  completed_at: r.completed_at,
  completed_stamp: stamp(r.completed_lamport, r.completed_node, r.completed_event),
});

export const wpState = (r: WpRow): WpState => ({
  feature_slug: r.feature_slug,
  wp_id: r.wp_id,
  lane: r.lane,
  lane_stamp: { lamport: r.lane_lamport, node: r.lane_node, event: r.lane_event },
  updated_at: r.updated_at,
  title: r.title,
  title_stamp: stamp(r.title_lamport, r.title_node, r.title_event),
});


export const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  team: { id: row.team_id, slug: row.team_slug },
  passwordHash: row.password_hash,
  createdAt: row.created_at,
});

export const toToken = (row: TokenRow): StoredToken => ({
  hash: row.hash,
  kind: row.kind,
  userId: row.user_id,
  family: row.family,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  revokedAt: row.revoked_at,
});
