import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseWpFile } from '../../../cli/workflow/wp-file.js';
import type { Envelope } from '../../../contract/index.js';
import { runJson } from '../../helpers/cli.js';

/** What a crash may break, counted against the files and the queue after the next command settled it. */
export interface Damage {
  /** Events in the queue (prepared excluded). */
  events: number;
  /** A change on disk without its event. */
  lost: number;
  /** An event for a change that is not on disk. */
  phantom: number;
  /** One change with two events. */
  duplicated: number;
  /** Files that no longer parse. */
  unparsable: number;
  /** Events still prepared after a command ran: nothing settled them. */
  unsettled: number;
  problems: string[];
}

interface Row { state: string; envelope: Envelope }

/**
 * Checks that every change on disk has exactly one event and every event its change: one
 * FeatureCreated per feature folder, one WPCreated per WP file, FeatureCompleted once iff
 * meta.json says completed, and per WP a chain of WPStatusChanged from planned to the lane in
 * its file. Reads the queue with `sync queue`, which first settles what crashes left.
 */
export async function checkDamage(repo: string, home: string): Promise<Damage> {
  const { events: rows } = await runJson<{ events: Row[] }>(['sync', 'queue', '--json', '--limit', '0'], { cwd: repo, home });
  const d: Damage = { events: 0, lost: 0, phantom: 0, duplicated: 0, unparsable: 0, unsettled: 0, problems: [] };
  const live = rows.filter((r) => r.state !== 'prepared');
  d.unsettled = rows.length - live.length;
  d.events = live.length;
  const byType = (type: string) => live.map((r) => r.envelope).filter((e) => e.event_type === type);
  const count = (what: string, n: number) => {
    if (n === 0) { d.lost += 1; d.problems.push(`${what}: no event`); }
    if (n > 1) { d.duplicated += n - 1; d.problems.push(`${what}: ${n} events`); }
  };

  const specs = join(repo, 'kitty-specs');
  const features = existsSync(specs) ? readdirSync(specs).filter((f) => /^\d{3}-/.test(f) && existsSync(join(specs, f, 'meta.json'))) : [];
  const wps = new Set<string>();
  for (const feature of features) {
    count(`FeatureCreated ${feature}`, byType('FeatureCreated').filter((e) => e.payload.feature_slug === feature).length);
    let meta: { completed_at?: string } = {};
    try { meta = JSON.parse(readFileSync(join(specs, feature, 'meta.json'), 'utf8')); } catch { d.unparsable += 1; }
    const completions = byType('FeatureCompleted').filter((e) => e.payload.feature_slug === feature).length;
    if (meta.completed_at) count(`FeatureCompleted ${feature}`, completions);
    else if (completions > 0) { d.phantom += completions; d.problems.push(`FeatureCompleted ${feature}: not completed on disk`); }

    const tasks = join(specs, feature, 'tasks');
    for (const name of existsSync(tasks) ? readdirSync(tasks).filter((n) => /^WP\d{2}.*\.md$/.test(n)) : []) {
      const id = name.slice(0, 4);
      wps.add(`${feature}/${id}`);
      let lane: string;
      try {
        lane = parseWpFile(readFileSync(join(tasks, name), 'utf8'), join(tasks, name), name, id).lane;
      } catch {
        d.unparsable += 1;
        continue;
      }
      count(`WPCreated ${feature}/${id}`, byType('WPCreated').filter((e) => e.payload.feature_slug === feature && e.payload.wp_id === id).length);
      let at = 'planned';
      let last = '';
      for (const e of byType('WPStatusChanged').filter((x) => x.payload.feature_slug === feature && x.payload.wp_id === id)) {
        const move = `${String(e.payload.previous_status)}→${String(e.payload.new_status)}`;
        if (e.payload.previous_status !== at) {
          if (move === last) d.duplicated += 1; else d.phantom += 1;
          d.problems.push(`${feature}/${id}: ${move} while in ${at}`);
        }
        at = String(e.payload.new_status);
        last = move;
      }
      if (at !== lane) { d.lost += 1; d.problems.push(`${feature}/${id}: file says ${lane}, events end in ${at}`); }
    }
  }
  for (const e of byType('FeatureCreated')) {
    if (!features.includes(String(e.payload.feature_slug))) { d.phantom += 1; d.problems.push(`FeatureCreated ${String(e.payload.feature_slug)}: no folder`); }
  }
  for (const e of byType('WPCreated')) {
    if (!wps.has(`${String(e.payload.feature_slug)}/${String(e.payload.wp_id)}`)) {
      d.phantom += 1;
      d.problems.push(`WPCreated ${String(e.payload.feature_slug)}/${String(e.payload.wp_id)}: no file`);
    }
  }
  return d;
}
