import { readFileSync } from 'node:fs';
import type { EmitChange, EmitResult } from '../../core/bus.js';
import type { EventDraft, Lane } from '../../contract/index.js';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { appendActivity } from './activity-log.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { wpStatusChanged } from './events.js';
import { fileChange, type FileChange } from './file-change.js';
import { contentHash } from '../../lib/content-hash.js';
import type { Feature } from './feature-store.js';
import { withFileLock } from './file-lock.js';
import type { WorkflowProject } from './project.js';
import { withLane, type WpFile } from './wp-file.js';
import { readWp, type WpRef } from './wp-store.js';

export interface TransitionDeps {
  /** Emits an event; with a change, the event and the change are one unit (see EmitChange). */
  emit(draft: EventDraft, change?: EmitChange): Promise<EmitResult>;
  /** Settles events crashed commands left prepared under `lock`; called holding that lock. */
  settle(lock: string): Promise<unknown>;
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
 * Moves one WP: under its lock, read, check, then emit its one WPStatusChanged with the file
 * write as the event's change: the event is durable (prepared) before the file changes, and
 * committed after. This is the single success point of every lane command, so each transition
 * yields exactly one event and a refused or no-op move yields none.
 */
export async function transition(req: TransitionRequest, deps: TransitionDeps): Promise<TransitionOutcome> {
  const { project, feature, ref, to } = req;
  return withFileLock(ref.path, project.display(ref.path), async () => {
    await deps.settle(ref.path);
    const wp = readWp(project, ref);
    if (wp.lane === to) return { changed: false, wp };
    req.check(wp);
    const from = wp.lane;
    const at = (deps.now ?? (() => new Date()))();
    const change = fileChange(ref.path, appendActivity(withLane(wp, to), { at, actor: deps.actor, lane: to, note: req.note }), { expect: { lane: to } });
    let result: EmitResult;
    try {
      result = await deps.emit(wpStatusChanged({
        wp_id: wp.id, previous_status: from, new_status: to, changed_by: deps.actor, feature_slug: feature.slug,
      }), change);
    } catch (err) {
      deps.logger.error(!change.written || restoreIfUnchanged(ref.path, change, wp.text)
        ? `${wp.id} was not moved: its event could not be queued, so ${wp.displayPath} is as it was (lane ${from}).`
        : `${wp.id}: its event could not be queued, and ${wp.displayPath} changed on disk meanwhile, so it was left as it is; check its lane before running the command again.`);
      throw err;
    }
    if (result.status === 'dropped') {
      // A guard chose not to record this transition; a lane change the hub never hears of would
      // leave the board wrong for good, so the move is refused like one whose event failed.
      throw new UserError(`${wp.id} was not moved: its status change was dropped by ${result.drop.plugin} (${result.drop.reason}), ` +
        `so ${wp.displayPath} is as it was (lane ${from}). Check that plugin's options in .kittify/plugins.json.`);
    }
    return { changed: true, wp, from, to, result };
  });
}

/**
 * Why an event that fails after its change was written (its commit) undoes the write instead of
 * keeping it: a lane change without its event would never reach the hub, and nothing could
 * re-emit it later. Restoring the previous bytes loses nothing, and the prepared event is then
 * discarded by the next command, since the file no longer holds its change. If someone changed
 * the file in the meantime, their version is kept and we say so.
 */
export function restoreIfUnchanged(path: string, change: FileChange, previous: string): boolean {
  let current: string | null = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (contentHash(current) !== change.intent.hash) return false;
  writeFileAtomic(path, previous);
  return true;
}
