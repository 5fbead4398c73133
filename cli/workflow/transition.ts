import { readFileSync } from 'node:fs';
import type { EmitResult } from '../../core/bus.js';
import type { EventDraft, Lane } from '../../contract/index.js';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { appendActivity } from './activity-log.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { wpStatusChanged } from './events.js';
import type { Feature } from './feature-store.js';
import { withFileLock } from './file-lock.js';
import type { WorkflowProject } from './project.js';
import { withLane, type WpFile } from './wp-file.js';
import { readWp, type WpRef } from './wp-store.js';

export interface TransitionDeps {
  emit(draft: EventDraft): Promise<EmitResult>;
  logger: Logger;
  actor: string;
  now?: () => Date;
}

export interface TransitionRequest {
  project: WorkflowProject;
  feature: Feature;
  ref: WpRef;
  to: Lane;
  note: string;
  /** Throws (a UserError) when the move is not allowed; runs on the WP as read under the lock. */
  check(wp: WpFile): void;
}

export type TransitionOutcome =
  | { changed: false; wp: WpFile }
  | { changed: true; wp: WpFile; from: Lane; to: Lane; result: EmitResult };

/**
 * Moves one WP: read, check, write the file, then emit its one WPStatusChanged. This is the
 * single success point of every lane command, so each transition yields exactly one event
 * and a refused or no-op move yields none.
 */
export async function transition(req: TransitionRequest, deps: TransitionDeps): Promise<TransitionOutcome> {
  const { project, feature, ref, to } = req;
  return withFileLock(ref.path, project.display(ref.path), async () => {
    const wp = readWp(project, ref);
    if (wp.lane === to) return { changed: false, wp };
    req.check(wp);
    const from = wp.lane;
    const at = (deps.now ?? (() => new Date()))();
    const text = appendActivity(withLane(wp, to), { at, actor: deps.actor, lane: to, note: req.note });
    writeFileAtomic(ref.path, text);
    let result: EmitResult;
    try {
      result = await deps.emit(wpStatusChanged({
        wp_id: wp.id, previous_status: from, new_status: to, changed_by: deps.actor, feature_slug: feature.slug,
      }));
    } catch (err) {
      deps.logger.error(restoreIfUnchanged(ref.path, text, wp.text)
        ? `${wp.id} was not moved: its event could not be queued, so ${wp.displayPath} was put back as it was (lane ${from}).`
        : `${wp.id}: its event could not be queued, and ${wp.displayPath} changed on disk meanwhile, so it was left as it is; check its lane before running the command again.`);
      throw err;
    }
    if (result.status === 'dropped') {
      // A guard chose not to record this transition; a lane change the hub never hears of would
      // leave the board wrong for good, so the move is refused like one whose event failed.
      const restored = restoreIfUnchanged(ref.path, text, wp.text);
      throw new UserError(`${wp.id} was not moved: its status change was dropped by ${result.drop.plugin} (${result.drop.reason})` +
        (restored ? `, so ${wp.displayPath} was put back as it was (lane ${from}).` : `; ${wp.displayPath} changed on disk meanwhile and was left as it is.`) +
        ` Check that plugin's options in .kittify/plugins.json.`);
    }
    return { changed: true, wp, from, to, result };
  });
}

/**
 * Why a failed emit undoes the file write instead of keeping it: a lane change without its
 * event would never reach the hub, and nothing could re-emit it later (the next command
 * sees the WP already moved and, rightly, emits nothing). Restoring the previous bytes loses
 * nothing: the file is exactly as before, the user fixes the cause (disk full, queue locked)
 * and runs the same command again, which then records both. If someone changed the file in
 * the meantime, their version is kept and we say so.
 */
export function restoreIfUnchanged(path: string, written: string, previous: string): boolean {
  let current: string | null = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (current !== written) return false;
  writeFileAtomic(path, previous);
  return true;
}
