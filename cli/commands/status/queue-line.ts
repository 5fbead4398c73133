import { messageOf } from '../../../core/errors.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliServices } from '../../runtime.js';

export interface QueueSummary {
  /** Pending events of this project (all projects when it has no identity yet). */
  pending: number;
  /** Events queued without a project identity: never sent. */
  held: number;
  pending_all_projects: number;
  team_slug: string;
  /** When events last reached the hub; null when never (or not known to this queue). */
  last_sync: string | null;
  error?: string;
}

/** The queue as one status line; a failing queue or login never hides the board. */
export async function queueSummary(): Promise<QueueSummary> {
  const out: QueueSummary = { pending: 0, held: 0, pending_all_projects: 0, team_slug: 'local', last_sync: null };
  try {
    const container = await cliServices();
    try {
      out.team_slug = container.get(TOKENS.Auth).getTeamSlug();
    } catch (err) {
      out.error = `login state unreadable: ${messageOf(err)}`;
    }
    const stats = await container.get(TOKENS.ReadQueue).stats();
    const identity = await container.get(TOKENS.Identity).resolve().catch(() => null);
    const mine = identity && stats.projects.find((p) => p.project_uuid === identity.project_uuid);
    out.pending_all_projects = stats.counts.pending;
    out.pending = identity ? mine?.counts.pending ?? 0 : stats.counts.pending;
    out.held = stats.counts.held;
    out.last_sync = stats.lastSyncAt;
  } catch (err) {
    // The board still shows; the queue's line says why it cannot be read and what to do.
    out.error = `queue unavailable: ${messageOf(err)}`;
  }
  return out;
}

export function formatQueueLine(q: QueueSummary): string {
  if (q.error && q.pending_all_projects === 0 && q.pending === 0) return `Queue: ${q.error}`;
  const others = q.pending_all_projects - q.pending;
  const parts = [
    `${q.pending} pending${others > 0 ? ` (+${others} from other projects)` : ''}`,
    ...(q.held > 0 ? [`${q.held} held (no project identity)`] : []),
    `team ${q.team_slug}`,
    `last sync ${q.last_sync ?? 'never'}`,
  ];
  return `Queue: ${parts.join(' · ')}${q.error ? ` (${q.error})` : ''}`;
}
