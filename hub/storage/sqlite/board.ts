import type Database from 'better-sqlite3';
import type {
  BoardSlice, EventTarget, FeatureState, ProjectState, Stamp, WpState,
} from '../../materialize/index.js';
import {
  featureState, projectState, wpState, type FeatureRow, type ProjectRow, type WpRow,
} from '../rows.js';

interface Entry<T> {
  project: string;
  state: T | null;
  dirty: boolean;
}

// Nested by key part: a lookup joins no strings.
interface ProjectNode {
  entry: Entry<ProjectState>;
  features: Map<string, FeatureNode>;
}

interface FeatureNode {
  entry: Entry<FeatureState>;
  wps: Map<string, Entry<WpState>>;
}

/**
 * Beyond this many rows the cache starts over: a hub's boards are small next to its events, but
 * memory must not grow with every WP ever seen.
 */
const MAX_CACHED_ROWS = 100_000;

const stampColumns = (s: Stamp | null) => [s?.lamport ?? null, s?.node ?? null, s?.event ?? null] as const;

/**
 * The board rows ingest reads and writes, kept across ingests: each row is read from the file
 * once, then served from memory, and written back at the end of each ingest that changed it.
 *
 * Only this connection writes the board while nothing else commits to the file; PRAGMA
 * data_version, read inside the write transaction, says whether another connection (another
 * process, or another storage on the same file) has committed since, and then everything is
 * read again. A rolled-back transaction leaves rows here that the file does not hold, so the
 * caller forgets them all (`discard`).
 */
export class SqliteBoard {
  /** Team id → project uuid → its rows. */
  private readonly teams = new Map<number, Map<string, ProjectNode>>();
  private rows = 0;
  private version: number | null = null;
  private dirty: Array<{ teamId: number; kind: 'project' | 'feature' | 'wp'; entry: Entry<unknown> }> = [];
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.s = prepare(db);
  }

  /** Called first in each ingest transaction, holding the write lock. */
  begin(): void {
    const version = this.s.dataVersion.get() as number;
    if (version !== this.version || this.rows > MAX_CACHED_ROWS) this.discard();
    this.version = version;
  }

  discard(): void {
    this.teams.clear();
    this.rows = 0;
    this.version = null;
    this.dirty = [];
  }

  load(teamId: number, target: EventTarget): BoardSlice {
    const project = this.project(teamId, target);
    const feature = this.feature(teamId, target, project);
    const wp = feature ? this.wp(teamId, target, feature) : null;
    return { project: project.entry.state, feature: feature?.entry.state ?? null, wp: wp?.state ?? null };
  }

  store(teamId: number, target: EventTarget, slice: BoardSlice): void {
    const project = this.project(teamId, target);
    this.set(teamId, 'project', project.entry, slice.project);
    const feature = this.feature(teamId, target, project);
    if (!feature) return;
    this.set(teamId, 'feature', feature.entry, slice.feature);
    const wp = this.wp(teamId, target, feature);
    if (wp) this.set(teamId, 'wp', wp, slice.wp);
  }

  /** Writes what this ingest changed, each row once. */
  flush(): void {
    const s = this.s;
    for (const { teamId, kind, entry } of this.dirty) {
      entry.dirty = false;
      if (kind === 'project') {
        const p = entry.state as ProjectState;
        s.upsertProject.run(teamId, p.project_uuid, p.project_slug, ...stampColumns(p.slug_stamp), p.event_count, p.last_event_at, JSON.stringify(p.node_ids));
      } else if (kind === 'feature') {
        const f = entry.state as FeatureState;
        s.upsertFeature.run(teamId, entry.project, f.feature_slug, f.name, ...stampColumns(f.name_stamp), f.completed_at, ...stampColumns(f.completed_stamp));
      } else {
        const w = entry.state as WpState;
        s.upsertWp.run(teamId, entry.project, w.feature_slug, w.wp_id, w.lane, ...stampColumns(w.lane_stamp), w.updated_at, w.title, ...stampColumns(w.title_stamp));
      }
    }
    this.dirty = [];
  }

  private set<T>(teamId: number, kind: 'project' | 'feature' | 'wp', entry: Entry<T>, state: T | null): void {
    // A slice never takes a row away: null in means it was null and stays so.
    if (state === entry.state || state === null) return;
    entry.state = state;
    if (!entry.dirty) {
      entry.dirty = true;
      this.dirty.push({ teamId, kind, entry: entry as Entry<unknown> });
    }
  }

  // Rows are read one at a time on a miss: an ingest pays for what it touches, never for the
  // whole board of a large project.
  private project(teamId: number, target: EventTarget): ProjectNode {
    let projects = this.teams.get(teamId);
    if (!projects) {
      projects = new Map();
      this.teams.set(teamId, projects);
    }
    let node = projects.get(target.project_uuid);
    if (!node) {
      const row = this.s.project.get(teamId, target.project_uuid) as ProjectRow | undefined;
      node = { entry: { project: target.project_uuid, state: row ? projectState(row) : null, dirty: false }, features: new Map() };
      projects.set(target.project_uuid, node);
      this.rows++;
    }
    return node;
  }

  private feature(teamId: number, target: EventTarget, project: ProjectNode): FeatureNode | null {
    if (target.feature_slug === null) return null;
    let node = project.features.get(target.feature_slug);
    if (!node) {
      const row = this.s.feature.get(teamId, target.project_uuid, target.feature_slug) as FeatureRow | undefined;
      node = { entry: { project: target.project_uuid, state: row ? featureState(row) : null, dirty: false }, wps: new Map() };
      project.features.set(target.feature_slug, node);
      this.rows++;
    }
    return node;
  }

  private wp(teamId: number, target: EventTarget, feature: FeatureNode): Entry<WpState> | null {
    if (target.feature_slug === null || target.wp_id === null) return null;
    let entry = feature.wps.get(target.wp_id);
    if (!entry) {
      const row = this.s.wp.get(teamId, target.project_uuid, target.feature_slug, target.wp_id) as WpRow | undefined;
      entry = { project: target.project_uuid, state: row ? wpState(row) : null, dirty: false };
      feature.wps.set(target.wp_id, entry);
      this.rows++;
    }
    return entry;
  }
}

function prepare(db: Database.Database) {
  return {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    project: db.prepare('SELECT * FROM projects WHERE team_id = ? AND project_uuid = ?'),
    feature: db.prepare('SELECT * FROM features WHERE team_id = ? AND project_uuid = ? AND feature_slug = ?'),
    wp: db.prepare('SELECT * FROM wps WHERE team_id = ? AND project_uuid = ? AND feature_slug = ? AND wp_id = ?'),
    upsertProject: db.prepare(
      `INSERT INTO projects (team_id, project_uuid, project_slug, slug_lamport, slug_node, slug_event, event_count, last_event_at, node_ids)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (team_id, project_uuid) DO UPDATE SET project_slug = excluded.project_slug,
         slug_lamport = excluded.slug_lamport, slug_node = excluded.slug_node, slug_event = excluded.slug_event,
         event_count = excluded.event_count, last_event_at = excluded.last_event_at, node_ids = excluded.node_ids`,
    ),
    upsertFeature: db.prepare(
      `INSERT INTO features (team_id, project_uuid, feature_slug, name, name_lamport, name_node, name_event,
         completed_at, completed_lamport, completed_node, completed_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (team_id, project_uuid, feature_slug) DO UPDATE SET name = excluded.name,
         name_lamport = excluded.name_lamport, name_node = excluded.name_node, name_event = excluded.name_event,
         completed_at = excluded.completed_at, completed_lamport = excluded.completed_lamport,
         completed_node = excluded.completed_node, completed_event = excluded.completed_event`,
    ),
    upsertWp: db.prepare(
      `INSERT INTO wps (team_id, project_uuid, feature_slug, wp_id, lane, lane_lamport, lane_node, lane_event, updated_at,
         title, title_lamport, title_node, title_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (team_id, project_uuid, feature_slug, wp_id) DO UPDATE SET lane = excluded.lane,
         lane_lamport = excluded.lane_lamport, lane_node = excluded.lane_node, lane_event = excluded.lane_event,
         updated_at = excluded.updated_at, title = excluded.title, title_lamport = excluded.title_lamport,
         title_node = excluded.title_node, title_event = excluded.title_event`,
    ),
  };
}
