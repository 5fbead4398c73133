import type { IngestEnvelope } from '../../contract/index.js';
import type { BoardFeature, BoardProject, BoardWp } from '../storage/storage.js';

// The board rules (DESIGN §6, issue 12) as pure functions: a storage loads the rows an event
// touches (eventTarget), applies the event (applyEvent) and writes back what changed. Every
// field is last-writer-wins by the event's stamp (Lamport clock, then node id, then event id)
// or commutative (counts, maxima, sets), so replaying the same events in any order gives the
// same board, and a late older event never moves anything back. Both storages use them.

/** The causal order of events: Lamport clock, then node id; the event id only breaks exact ties. */
export interface Stamp {
  lamport: number;
  node: string;
  event: string;
}

export interface ProjectState {
  project_uuid: string;
  /** Null until an event of the project carries a slug. */
  project_slug: string | null;
  /** The event that set the slug. */
  slug_stamp: Stamp | null;
  event_count: number;
  /** The max event timestamp (normalized, ISO `Z`). */
  last_event_at: string | null;
  /** Sorted, unique. */
  node_ids: string[];
}

export interface FeatureState {
  feature_slug: string;
  name: string | null;
  name_stamp: Stamp | null;
  completed_at: string | null;
  completed_stamp: Stamp | null;
}

export interface WpState {
  feature_slug: string;
  wp_id: string;
  lane: string;
  /** The event that set the lane. */
  lane_stamp: Stamp;
  /** That event's timestamp (normalized). */
  updated_at: string;
  title: string | null;
  title_stamp: Stamp | null;
}

/** The rows one event may touch. */
export interface EventTarget {
  project_uuid: string;
  feature_slug: string | null;
  wp_id: string | null;
}

export interface BoardSlice {
  project: ProjectState | null;
  feature: FeatureState | null;
  wp: WpState | null;
}

export const INITIAL_LANE = 'planned';

/** Project uuids are keys in lower case (the contract accepts either case). */
export function projectKey(uuid: string): string {
  return uuid.toLowerCase();
}

/**
 * ISO-8601 UTC with `Z` and milliseconds, the form `Date#toISOString` gives: 2.x clients send
 * microseconds and `+00:00`. Unparseable input is returned as it is.
 */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function normalizeTimestamp(timestamp: string): string {
  // What our CLI sends is already in this form: no parse needed (a share of every ingest).
  if (CANONICAL.test(timestamp)) return timestamp;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}

export function stampOf(envelope: Pick<IngestEnvelope, 'lamport_clock' | 'node_id' | 'event_id'>): Stamp {
  return { lamport: envelope.lamport_clock, node: envelope.node_id, event: envelope.event_id };
}

/** Negative, zero or positive as `a` is causally before, equal to or after `b`. */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.lamport !== b.lamport) return a.lamport < b.lamport ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  if (a.event !== b.event) return a.event < b.event ? -1 : 1;
  return 0;
}

/** True if an event stamped `candidate` may overwrite a field last set by `current`. */
export function wins(candidate: Stamp, current: Stamp | null): boolean {
  return current === null || compareStamps(candidate, current) > 0;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const payloadOf = (envelope: IngestEnvelope): Record<string, unknown> =>
  envelope.payload !== null && typeof envelope.payload === 'object' && !Array.isArray(envelope.payload) ? envelope.payload : {};

/**
 * Which rows the event touches; null if it goes on no board (no project identity). Events of
 * other types touch only their project (counted); a WP is keyed by its feature and its id.
 */
export function eventTarget(envelope: IngestEnvelope): EventTarget | null {
  if (typeof envelope.project_uuid !== 'string' || envelope.project_uuid.length === 0) return null;
  const project_uuid = projectKey(envelope.project_uuid);
  const payload = payloadOf(envelope);
  const feature_slug = text(payload.feature_slug);
  switch (envelope.event_type) {
    case 'FeatureCreated':
    case 'FeatureCompleted':
      return { project_uuid, feature_slug, wp_id: null };
    case 'WPCreated':
    case 'WPStatusChanged': {
      const wp_id = text(payload.wp_id);
      return { project_uuid, feature_slug, wp_id: feature_slug ? wp_id : null };
    }
    default:
      return { project_uuid, feature_slug: null, wp_id: null };
  }
}

/** The project's counters, nodes, last time and slug after one more event. */
export function applyToProject(project: ProjectState | null, envelope: IngestEnvelope): ProjectState {
  const uuid = projectKey(envelope.project_uuid ?? '');
  const next: ProjectState = project
    ? { ...project, node_ids: project.node_ids }
    : { project_uuid: uuid, project_slug: null, slug_stamp: null, event_count: 0, last_event_at: null, node_ids: [] };
  next.event_count += 1;
  const at = normalizeTimestamp(envelope.timestamp);
  if (next.last_event_at === null || laterTime(at, next.last_event_at)) next.last_event_at = at;
  if (!next.node_ids.includes(envelope.node_id)) next.node_ids = [...next.node_ids, envelope.node_id].sort();
  const slug = text(envelope.project_slug);
  const stamp = stampOf(envelope);
  if (slug !== null && wins(stamp, next.slug_stamp)) {
    next.project_slug = slug;
    next.slug_stamp = stamp;
  }
  return next;
}

/** A total order on timestamps: valid ones by time (then text), before them unparseable ones. */
function laterTime(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) !== Number.isNaN(tb)) return !Number.isNaN(ta);
  if (!Number.isNaN(ta) && ta !== tb) return ta > tb;
  return a > b;
}

/** The feature after the event, or the given one unchanged if the event is not about it. */
export function applyToFeature(feature: FeatureState | null, envelope: IngestEnvelope, target: EventTarget): FeatureState | null {
  if (target.feature_slug === null) return feature;
  const next: FeatureState = feature
    ? { ...feature }
    : { feature_slug: target.feature_slug, name: null, name_stamp: null, completed_at: null, completed_stamp: null };
  const payload = payloadOf(envelope);
  const stamp = stampOf(envelope);
  if (envelope.event_type === 'FeatureCreated') {
    const name = text(payload.name) ?? text(payload.friendly_name);
    if (name !== null && wins(stamp, next.name_stamp)) {
      next.name = name;
      next.name_stamp = stamp;
    }
  } else if (envelope.event_type === 'FeatureCompleted') {
    if (wins(stamp, next.completed_stamp)) {
      next.completed_at = normalizeTimestamp(envelope.timestamp);
      next.completed_stamp = stamp;
    }
  }
  return next;
}

/** The WP after the event, or the given one unchanged if the event is not about it. */
export function applyToWp(wp: WpState | null, envelope: IngestEnvelope, target: EventTarget): WpState | null {
  if (target.feature_slug === null || target.wp_id === null) return wp;
  const payload = payloadOf(envelope);
  const stamp = stampOf(envelope);
  const at = normalizeTimestamp(envelope.timestamp);
  // WPCreated puts the WP in the first lane at its own stamp: a later status wins over it, an
  // earlier one (seen late) does not.
  const lane = envelope.event_type === 'WPStatusChanged' ? text(payload.new_status) : envelope.event_type === 'WPCreated' ? INITIAL_LANE : null;
  const title = envelope.event_type === 'WPCreated' ? text(payload.title) : null;
  let next: WpState;
  if (wp) {
    next = { ...wp };
    if (lane !== null && wins(stamp, next.lane_stamp)) {
      next.lane = lane;
      next.lane_stamp = stamp;
      next.updated_at = at;
    }
  } else {
    next = {
      feature_slug: target.feature_slug,
      wp_id: target.wp_id,
      lane: lane ?? INITIAL_LANE,
      lane_stamp: stamp,
      updated_at: at,
      title: null,
      title_stamp: null,
    };
  }
  if (title !== null && wins(stamp, next.title_stamp)) {
    next.title = title;
    next.title_stamp = stamp;
  }
  return next;
}

/** The slice after one event: what `eventTarget` named (given, if the storage has it), loaded by the storage, then changed. */
export function applyEvent(slice: BoardSlice, envelope: IngestEnvelope, target: EventTarget | null = eventTarget(envelope)): BoardSlice {
  if (target === null) return slice;
  return {
    project: applyToProject(slice.project, envelope),
    feature: applyToFeature(slice.feature, envelope, target),
    wp: applyToWp(slice.wp, envelope, target),
  };
}

/** The read API's view of a project: features by slug, their WPs by id. */
export function toBoardProject(project: ProjectState, features: FeatureState[], wps: WpState[]): BoardProject {
  const byFeature = new Map<string, BoardWp[]>();
  for (const wp of [...wps].sort((a, b) => cmp(a.wp_id, b.wp_id))) {
    const list = byFeature.get(wp.feature_slug) ?? [];
    list.push({ wp_id: wp.wp_id, lane: wp.lane, title: wp.title, lamport_clock: wp.lane_stamp.lamport, node_id: wp.lane_stamp.node, updated_at: wp.updated_at });
    byFeature.set(wp.feature_slug, list);
  }
  const slugs = new Set([...features.map((f) => f.feature_slug), ...byFeature.keys()]);
  const featureBySlug = new Map(features.map((f) => [f.feature_slug, f]));
  const boardFeatures: BoardFeature[] = [...slugs].sort(cmp).map((slug) => {
    const f = featureBySlug.get(slug);
    return { feature_slug: slug, name: f?.name ?? null, completed_at: f?.completed_at ?? null, wps: byFeature.get(slug) ?? [] };
  });
  return {
    project_uuid: project.project_uuid,
    project_slug: project.project_slug ?? project.project_uuid,
    features: boardFeatures,
    node_ids: [...project.node_ids].sort(),
    event_count: project.event_count,
    last_event_at: project.last_event_at,
  };
}

/** Projects in a stable order: by slug, then uuid. */
export function sortProjects(projects: BoardProject[]): BoardProject[] {
  return [...projects].sort((a, b) => cmp(a.project_slug, b.project_slug) || cmp(a.project_uuid, b.project_uuid));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
