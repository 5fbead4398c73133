import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settleAll, settleLock } from '../../../cli/workflow/settle.js';
import { contentHash } from '../../../lib/content-hash.js';
import { withLock } from '../../../lib/lock.js';
import { tempDir } from '../../helpers/cli.js';
import { envelope } from '../../helpers/envelope.js';
import { testQueue } from '../../helpers/services.js';

test('an event whose change is on disk is committed; one whose change is not is discarded; temp files of the write go', async (t) => {
  const dir = tempDir();
  const done = join(dir, 'WP01-a.md');
  const undone = join(dir, 'WP02-b.md');
  writeFileSync(done, 'lane: doing\n');
  writeFileSync(undone, 'lane: planned\n');
  writeFileSync(join(dir, `.WP02-b.md.99999.abc.tmp`), 'lane: doing\n'); // a write that died before its rename
  const queue = testQueue(join(dir, 'home'));
  const a = envelope();
  const b = envelope({ aggregate_id: 'WP02' });
  await queue.enqueue(a, 'pending', { path: done, hash: contentHash('lane: doing\n') });
  await queue.enqueue(b, 'pending', { path: undone, hash: contentHash('lane: doing\n') });
  t.deepEqual(await settleAll(queue), { committed: 1, discarded: 1 });
  t.deepEqual((await queue.list()).events.map((r) => [r.event_id, r.state]), [[a.event_id, 'pending']]);
  t.false(readdirSync(dir).some((f) => f.endsWith('.tmp')));
  queue.close();
});

test('a change whose lock is held is left to its holder: settleAll skips it, settleLock under the lock settles it', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'WP01-a.md');
  const queue = testQueue(join(dir, 'home'));
  const e = envelope();
  await queue.enqueue(e, 'pending', { path, hash: contentHash('x') });
  await withLock(path, {}, async () => {
    t.deepEqual(await settleAll(queue), { committed: 0, discarded: 0 });
    t.is((await queue.prepared()).length, 1);
    writeFileSync(path, 'x');
    t.deepEqual(await settleLock(queue, path), { committed: 1, discarded: 0 });
  });
  t.true(existsSync(path));
  queue.close();
});
