import test from 'ava';
import type { IngestEnvelope } from '../../../contract/index.js';
import { eventTexts } from '../../../hub/ingest/event-texts.js';
import { ingestEvents } from '../../../hub/ingest/ingest.js';
import type { HubStorage, IngestResult } from '../../../hub/storage/storage.js';
import { envelope } from '../../helpers/envelope.js';

const TEAM = { id: 7, slug: 'acme' };

/** A storage that keeps what it is asked to store: the envelopes and the JSON it would write. */
function recorder() {
  const stored: Array<{ envelope: IngestEnvelope; json: string | undefined }> = [];
  const storage = {
    async ingest(_teamId: number, envelopes: IngestEnvelope[], _now: number, jsons?: string[]): Promise<IngestResult[]> {
      envelopes.forEach((e, i) => stored.push({ envelope: e, json: jsons?.[i] }));
      return envelopes.map((e) => ({ event_id: e.event_id, status: 'success' as const }));
    },
  } as unknown as HubStorage;
  return { storage, stored };
}

/** Ingests a body as the batch route does: parsed once, each event's text taken from it. */
async function ingestBody(text: string) {
  const { storage, stored } = recorder();
  const events = (JSON.parse(text) as { events: unknown[] }).events;
  const results = await ingestEvents(storage, TEAM, events, 1, eventTexts(text, events.length));
  return { results, stored };
}

test('each event is stored as the text it came in, not serialized again; a "local" one is, with the team stamped', async (t) => {
  const mine = envelope({ team_slug: 'acme', payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ad\u00e9', feature_slug: '001-x' } });
  const local = envelope({ team_slug: 'local' });
  const mineText = JSON.stringify(mine, null, 1).replace('ad\u00e9', 'ad\\u00e9');
  const { results, stored } = await ingestBody(`{ "events" : [ ${mineText} ,${JSON.stringify(local)}] }`);
  t.deepEqual(results.map((r) => r.status), ['success', 'success']);
  t.is(stored[0].json, mineText);
  t.deepEqual(JSON.parse(stored[1].json ?? ''), { ...local, team_slug: 'acme' });
  t.is(stored[1].envelope.team_slug, 'acme');
});

test('a lone surrogate is found whichever way it is escaped; a pair, or a backslash before "u", is fine', async (t) => {
  const at = (payloadText: string) => `{"events":[${JSON.stringify(envelope({ team_slug: 'acme' })).replace('"changed_by":"ada"', `"changed_by":"ada","note":${payloadText}`)}]}`;
  const statuses = async (text: string) => (await ingestBody(text)).results.map((r) => r.status);
  t.deepEqual(await statuses(at('"\\ud800"')), ['rejected']);
  t.deepEqual(await statuses(at('"x\\uDC00"')), ['rejected']);
  t.deepEqual(await statuses(at('"\\uDE00\\uD83D"')), ['rejected']);
  t.deepEqual(await statuses(at('{"\\ud800":1}')), ['rejected']);
  t.deepEqual(await statuses(at('"\\ud83d\\ude00"')), ['success']);
  t.deepEqual(await statuses(at('"\\\\ud800"')), ['success']);
  // Without the body's text (the WebSocket), it is found in the item itself.
  const { storage } = recorder();
  const [result] = await ingestEvents(storage, TEAM, [{ ...envelope({ team_slug: 'acme' }), aggregate_id: 'WP\udc00' }], 1);
  t.like(result, { status: 'rejected', error_message: 'a string holds a lone surrogate (not valid Unicode text)' });
});

test('the size limit counts the event as it was received', async (t) => {
  const event = envelope({ team_slug: 'acme' });
  const padded = JSON.stringify(event).replace('{', `{${' '.repeat(64 * 1024)}`);
  const { results, stored } = await ingestBody(`{"events":[${padded},${JSON.stringify(event)}]}`);
  t.like(results[0], { status: 'rejected', error_message: `the event is ${padded.length} bytes; at most ${64 * 1024} are accepted` });
  t.is(results[1].status, 'success');
  t.is(stored.length, 1);
});
