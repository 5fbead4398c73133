import test from 'ava';
import fc from 'fast-check';
import { eventTexts } from '../../../hub/ingest/event-texts.js';

// eventTexts must give, for every body JSON.parse accepts, each event's own text or nothing:
// a wrong slice would store one event's JSON under another's id.

/** JSON.stringify with any spacing the grammar allows: around every delimiter, and indented. */
const spaced = (value: unknown, space: string, indent: string | undefined): string =>
  JSON.stringify(value, null, indent).replace(/("(?:[^"\\]|\\.)*")|([,:[\]{}])/g, (m, str: string | undefined) => (str ? m : `${space}${m}${space}`));

test('each event\'s text parses to that event, whatever the spacing, keys and values around it', (t) => {
  fc.assert(fc.property(
    fc.array(fc.jsonValue()),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
    fc.boolean(),
    fc.constantFrom('', ' ', '\n', '\t\r\n '),
    fc.constantFrom(undefined, '  ', '\t'),
    (events, extra, eventsFirst, space, indent) => {
      const body = eventsFirst ? { events, ...extra } : { ...extra, events };
      const text = spaced(body, space, indent);
      const parsed = JSON.parse(text) as { events: unknown[] };
      const texts = eventTexts(text, parsed.events.length);
      // Only an escaped key (which might spell "events") makes it give up.
      if (texts === null) return Object.keys(body).some((key) => JSON.stringify(key).includes('\\'));
      return texts.length === parsed.events.length && texts.every((piece, i) => JSON.stringify(JSON.parse(piece)) === JSON.stringify(parsed.events[i]));
    },
  ), { numRuns: 2000 });
  t.pass();
});

test('the last "events" key is the one JSON.parse keeps, and so is it here', (t) => {
  const text = '{"events":[1,2],"other":{"events":[3]},"events":[{"a":"\\\\"},"x\\"y]"]}';
  t.deepEqual(eventTexts(text, 2), ['{"a":"\\\\"}', '"x\\"y]"']);
});

test('a body of another shape, or a count that does not match, gives nothing', (t) => {
  t.is(eventTexts('[1,2]', 2), null);
  t.is(eventTexts('{"events":{"a":1}}', 1), null);
  t.is(eventTexts('{"events":[1,2]}', 3), null);
  t.is(eventTexts('{"ev\\u0065nts":[1,2]}', 2), null);
  t.deepEqual(eventTexts(' { "events" : [ ] } ', 0), []);
});
