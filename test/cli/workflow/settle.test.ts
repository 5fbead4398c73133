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
  t.deepEqual(await settleAll(queue), { committed: 1, discarded: 1, failed: [] });
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
    t.deepEqual(await settleAll(queue), { committed: 0, discarded: 0, failed: [] });
    t.is((await queue.prepared()).length, 1);
    writeFileSync(path, 'x');
    t.deepEqual(await settleLock(queue, path), { committed: 1, discarded: 0 });
  });
  t.true(existsSync(path));
  queue.close();
});

test('recovery reads what a change meant: a lane, an existing file, a key set; later edits elsewhere in the file do not undo it', async (t) => {
  const dir = tempDir();
  const wp = join(dir, 'WP01-a.md');
  const created = join(dir, 'WP02-b.md');
  const meta = join(dir, 'meta.json');
  writeFileSync(wp, '---\nwork_package_id: WP01\ntitle: A\nlane: doing\n---\nedited by hand after the crash\n');
  writeFileSync(created, 'anything\n');
  writeFileSync(meta, JSON.stringify({ slug: '001-x', completed_at: '2026-01-01T00:00:00.000Z', note: 'edited' }));
  const queue = testQueue(join(dir, 'home'));
  const moves = [envelope(), envelope(), envelope(), envelope({ aggregate_id: 'WP03' })];
  await queue.enqueue(moves[0], 'pending', { path: wp, hash: 'other', expect: { lane: 'doing' } });
  await queue.enqueue(moves[1], 'pending', { path: created, hash: 'other', expect: 'exists', lock: join(dir, '.wp-add') });
  await queue.enqueue(moves[2], 'pending', { path: meta, hash: 'other', expect: { key: 'completed_at' } });
  await queue.enqueue(moves[3], 'pending', { path: join(dir, 'WP03-c.md'), hash: 'other', expect: 'exists', lock: join(dir, '.wp-add') });
  t.deepEqual(await settleAll(queue), { committed: 3, discarded: 1, failed: [] });
  queue.close();
});

test('a change whose lock folder is gone is settled without it; others go on', async (t) => {
  const dir = tempDir();
  const queue = testQueue(join(dir, 'home'));
  const gone = envelope();
  await queue.enqueue(gone, 'pending', { path: join(dir, 'deleted', 'tasks', 'WP01-a.md'), hash: 'x', expect: { lane: 'doing' } });
  t.deepEqual(await settleAll(queue), { committed: 0, discarded: 1, failed: [] });
  queue.close();
});
