import test from 'ava';
import { newUlid } from '../../lib/ulid.js';

test('ULIDs made in the same millisecond still sort in creation order', (t) => {
  const ids = Array.from({ length: 1000 }, () => newUlid());
  t.deepEqual([...ids].sort(), ids);
  t.is(new Set(ids).size, ids.length);
});
