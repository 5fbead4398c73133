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
  const accepted: Array<{ index: number; envelope: IngestEnvelope; json: string }> = [];
  items.forEach((item, index) => {
    const event_id = idOf(item);
    const problem = unreadable(item);
    if (problem) {
      results.push({ event_id, status: 'rejected', error_message: problem });
      return;
    }
    let json = JSON.stringify(item) ?? '';
    const size = Buffer.byteLength(json);
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
    const stamped = envelope.team_slug === LOCAL_TEAM ? { ...envelope, team_slug: team.slug } : envelope;
    if (stamped !== envelope) json = JSON.stringify(stamped);
    accepted.push({ index, envelope: stamped, json });
  });
  if (accepted.length > 0) {
    const stored = await storage.ingest(team.id, accepted.map((a) => a.envelope), now, accepted.map((a) => a.json));
    accepted.forEach((a, i) => { results[a.index] = stored[i]; });
  }
  return results as IngestResult[];
}

// Deeper than any event needs; far below what would exhaust the stack while checking.
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why an item cannot be stored as it is, or null: nesting too deep to serialize safely, or a
 * string with a lone surrogate (valid JavaScript, but not text a database stores).
 */
function unreadable(item: unknown): string | null {
  const walk = (value: unknown, depth: number): string | null => {
    if (typeof value === 'string') return LONE_SURROGATE.test(value) ? 'a string holds a lone surrogate (not valid Unicode text)' : null;
    if (typeof value !== 'object' || value === null) return null;
    if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    for (const [key, inner] of Object.entries(value)) {
      const problem = walk(key, depth) ?? walk(inner, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(item, 0);
}
