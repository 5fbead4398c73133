import { MAX_EVENT_BYTES, type IngestEnvelope } from '../../contract/index.js';
import type { HubStorage, IngestResult, Team } from '../storage/storage.js';
import { ingestViolations } from './validator.js';

/** The team whose events an envelope may carry: the caller's own, or "local" (queued while logged out). */
const LOCAL_TEAM = 'local';

const idOf = (value: unknown): string => {
  const id = (value as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '';
};

/**
 * Ingests what a client sent, one result per item, in order: each item is checked on its own
 * (size, the contract, the team), so one bad event never fails its neighbours; the valid ones
 * are stored (and put on the board) together.
 */
export async function ingestEvents(storage: HubStorage, team: Team, items: unknown[], now: number): Promise<IngestResult[]> {
  const results: Array<IngestResult | null> = [];
  const accepted: Array<{ index: number; envelope: IngestEnvelope }> = [];
  items.forEach((item, index) => {
    const event_id = idOf(item);
    const size = Buffer.byteLength(JSON.stringify(item) ?? '');
    if (size > MAX_EVENT_BYTES) {
      results.push({ event_id, status: 'rejected', error_message: `the event is ${size} bytes; at most ${MAX_EVENT_BYTES} are accepted` });
      return;
    }
    const violations = ingestViolations(item);
    if (violations.length > 0) {
      results.push({ event_id, status: 'rejected', error_message: violations.join('; ') });
      return;
    }
    const envelope = item as IngestEnvelope;
    if (envelope.team_slug !== team.slug && envelope.team_slug !== LOCAL_TEAM) {
      results.push({ event_id, status: 'rejected', error_message: `team_slug "${envelope.team_slug}" is not your team ("${team.slug}")` });
      return;
    }
    results.push(null);
    // Queued while logged out: it is this team's now, and says so wherever it is read or pushed.
    accepted.push({ index, envelope: envelope.team_slug === LOCAL_TEAM ? { ...envelope, team_slug: team.slug } : envelope });
  });
  if (accepted.length > 0) {
    const stored = await storage.ingest(team.id, accepted.map((a) => a.envelope), now);
    accepted.forEach((a, i) => { results[a.index] = stored[i]; });
  }
  return results as IngestResult[];
}
