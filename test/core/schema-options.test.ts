import test from 'ava';
import { schemaOptions } from 'spec-kitty/plugin';

const validate = schemaOptions<{ file: string; limit: number }>({
  type: 'object',
  properties: {
    file: { type: 'string', minLength: 1, default: 'events.jsonl', 'x-must': 'be a non-empty path' },
    limit: { type: 'integer', minimum: 1, default: 10 },
  },
  additionalProperties: false,
});

test('a third-party plugin\'s options schema fills in defaults', (t) => {
  t.deepEqual(validate({}), { file: 'events.jsonl', limit: 10 });
  t.deepEqual(validate({ limit: 3 }), { file: 'events.jsonl', limit: 3 });
});

test('every bad option is reported at once, in the built-ins\' words', (t) => {
  const error = t.throws(() => validate({ file: '', limit: 0, extra: true }));
  t.is(error!.message, [
    'unknown option "extra" (known: file, limit)',
    'option "file" must be a non-empty path, got ""',
    'option "limit" must be an integer ≥ 1, got 0',
  ].join('; '));
});

test('the raw options are left as they were, whether they pass or not', (t) => {
  const raw = { limit: 2 };
  validate(raw);
  t.deepEqual(raw, { limit: 2 });
  const bad = { limit: 0 };
  t.throws(() => validate(bad));
  t.deepEqual(bad, { limit: 0 });
});
