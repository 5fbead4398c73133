// The team's board in the page: built from the WebSocket's snapshot (each project's full board,
// as GET /api/v1/projects/ gives it), then changed by each pushed event with the hub's own rules
// (hub/materialize/board.ts): a lane moves only for an event stamped after the one that set it
// (Lamport clock, then node id), so a late or repeated event never moves a WP back.

export const LANES = ['planned', 'doing', 'for_review', 'done'];
export const LANE_NAMES = { planned: 'Planned', doing: 'Doing', for_review: 'For review', done: 'Done' };

/**
 * @typedef {{ wp_id: string, lane: string, title: string | null, lamport_clock: number, node_id: string, updated_at: string }} Wp
 * @typedef {{ feature_slug: string, name: string | null, completed_at: string | null, wps: Wp[] }} Feature
 * @typedef {{ project_uuid: string, project_slug: string, features: Feature[], node_ids: string[], event_count: number, last_event_at: string | null }} Project
 */

/** Projects by uuid, from the snapshot's (or the read API's) `projects`. */
export function fromProjects(projects) {
  const model = new Map();
  for (const p of projects) model.set(p.project_uuid.toLowerCase(), p);
  return model;
}

/** Projects in the hub's order: by slug, then uuid (the same slug twice stays two projects). */
export function sortedProjects(model) {
  return [...model.values()].sort((a, b) => cmp(a.project_slug, b.project_slug) || cmp(a.project_uuid, b.project_uuid));
}

/** WPs per lane of a project (lanes outside the four are counted under their own name). */
export function laneCounts(project) {
  const counts = { planned: 0, doing: 0, for_review: 0, done: 0 };
  for (const f of project.features) for (const wp of f.wps) counts[wp.lane] = (counts[wp.lane] ?? 0) + 1;
  return counts;
}

/** Slugs that more than one project of the team carries. */
export function sharedSlugs(model) {
  const seen = new Map();
  for (const p of model.values()) seen.set(p.project_slug, (seen.get(p.project_slug) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([slug]) => slug));
}

const text = (v) => (typeof v === 'string' && v.length > 0 ? v : null);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const later = (lamport, node, wp) => lamport > wp.lamport_clock || (lamport === wp.lamport_clock && node > wp.node_id);
const iso = (t) => { const ms = Date.parse(t); return Number.isNaN(ms) ? t : new Date(ms).toISOString(); };

/**
 * Applies one pushed event; returns what it touched (`{ project, feature, wp, added }`), or null
 * for an event that goes on no board (no project identity).
 */
export function applyEvent(model, envelope) {
  if (typeof envelope.project_uuid !== 'string' || envelope.project_uuid === '') return null;
  const uuid = envelope.project_uuid.toLowerCase();
  const payload = envelope.payload && typeof envelope.payload === 'object' ? envelope.payload : {};
  const at = iso(envelope.timestamp);
  let project = model.get(uuid);
  const added = !project;
  if (!project) {
    project = { project_uuid: uuid, project_slug: text(envelope.project_slug) ?? uuid, features: [], node_ids: [], event_count: 0, last_event_at: null };
    model.set(uuid, project);
  }
  project.event_count += 1;
  if (project.last_event_at === null || at > project.last_event_at) {
    project.last_event_at = at;
    // The slug of the latest event wins, as on the hub (where it is by causal stamp).
    if (text(envelope.project_slug)) project.project_slug = envelope.project_slug;
  }
  if (!project.node_ids.includes(envelope.node_id)) project.node_ids = [...project.node_ids, envelope.node_id].sort();

  const featureSlug = text(payload.feature_slug);
  const type = envelope.event_type;
  const touchesFeature = featureSlug !== null && ['FeatureCreated', 'FeatureCompleted', 'WPCreated', 'WPStatusChanged'].includes(type);
  if (!touchesFeature) return { project, feature: null, wp: null, added };
  let feature = project.features.find((f) => f.feature_slug === featureSlug);
  if (!feature) {
    feature = { feature_slug: featureSlug, name: null, completed_at: null, wps: [] };
    project.features = [...project.features, feature].sort((a, b) => cmp(a.feature_slug, b.feature_slug));
  }
  if (type === 'FeatureCreated') feature.name = text(payload.name) ?? text(payload.friendly_name) ?? feature.name;
  if (type === 'FeatureCompleted') feature.completed_at = at;
  const wpId = text(payload.wp_id);
  if ((type !== 'WPCreated' && type !== 'WPStatusChanged') || wpId === null) return { project, feature, wp: null, added };

  const lane = type === 'WPStatusChanged' ? text(payload.new_status) : 'planned';
  let wp = feature.wps.find((w) => w.wp_id === wpId);
  if (!wp) {
    wp = { wp_id: wpId, lane: lane ?? 'planned', title: null, lamport_clock: envelope.lamport_clock, node_id: envelope.node_id, updated_at: at };
    feature.wps = [...feature.wps, wp].sort((a, b) => cmp(a.wp_id, b.wp_id));
  } else if (lane !== null && later(envelope.lamport_clock, envelope.node_id, wp)) {
    wp.lane = lane;
    wp.lamport_clock = envelope.lamport_clock;
    wp.node_id = envelope.node_id;
    wp.updated_at = at;
  }
  if (type === 'WPCreated' && text(payload.title) && wp.title === null) wp.title = payload.title;
  return { project, feature, wp, added };
}

/** One line of the feed: who, what (and of which WP or feature), when, from which machine. */
export function describeEvent(envelope) {
  const p = envelope.payload && typeof envelope.payload === 'object' ? envelope.payload : {};
  const who = text(p.changed_by);
  const feature = text(p.feature_slug);
  let what;
  switch (envelope.event_type) {
    case 'WPStatusChanged':
      what = `moved ${p.wp_id} from ${LANE_NAMES[p.previous_status] ?? p.previous_status} to ${LANE_NAMES[p.new_status] ?? p.new_status}`;
      break;
    case 'WPCreated':
      what = `added ${p.wp_id}${text(p.title) ? ` “${p.title}”` : ''}`;
      break;
    case 'FeatureCreated':
      what = `created feature ${text(p.name) ?? feature ?? ''}`.trimEnd();
      break;
    case 'FeatureCompleted':
      what = `completed feature ${text(p.name) ?? feature ?? ''}`.trimEnd();
      break;
    default:
      what = envelope.event_type;
  }
  return { who, what, feature, when: iso(envelope.timestamp), machine: envelope.node_id };
}
