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
 * are stored (and put on the board) together. `texts`, when given, holds each item's JSON as
 * it was received (hub/ingest/event-texts.ts): it is measured and stored instead of
 * serializing the item again.
 */
export async function ingestEvents(storage: HubStorage, team: Team, items: unknown[], now: number, texts?: readonly string[] | null): Promise<IngestResult[]> {
  const results: Array<IngestResult | null> = [];
  const accepted: Array<{ index: number; envelope: IngestEnvelope; json: string }> = [];
  items.forEach((item, index) => {
    const event_id = idOf(item);
    const problem = unreadable(item);
    if (problem) {
      results.push({ event_id, status: 'rejected', error_message: problem });
      return;
    }
    let json = texts?.[index] ?? JSON.stringify(item) ?? '';
    if (MAY_HOLD_SURROGATE.test(json) && holdsLoneSurrogate(item)) {
      results.push({ event_id, status: 'rejected', error_message: 'a string holds a lone surrogate (not valid Unicode text)' });
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a short text needs no count.
    const size = json.length * 3 <= MAX_EVENT_BYTES ? json.length : Buffer.byteLength(json);
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

/** Why an item cannot be serialized safely, or null: nesting too deep. */
function unreadable(item: unknown): string | null {
  const deep = (value: unknown, depth: number): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    if (depth > MAX_DEPTH) return true;
    for (const key in value) {
      if (deep((value as Record<string, unknown>)[key], depth + 1)) return true;
    }
    return false;
  };
  return deep(item, 0) ? `nested deeper than ${MAX_DEPTH} levels` : null;
}

// A surrogate reaches a parsed item only through a \uD8xx–\uDFxx escape in its JSON: a body
// decoded from UTF-8 holds none unescaped, and JSON.stringify escapes a lone one. So only a
// text with such an escape (rare) has its strings looked at.
const MAY_HOLD_SURROGATE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string (or key) with a lone surrogate: valid JavaScript, but not text a database stores. */
function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) {
    if (LONE_SURROGATE.test(key) || holdsLoneSurrogate((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
