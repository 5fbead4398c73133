import test from 'ava';
import { join } from 'node:path';
import { testQueue } from '../../helpers/services.js';
import { tempDir } from '../../helpers/cli.js';
import { envelope } from './queue-fixtures.js';

const intent = (path: string) => ({ path, hash: '00000000000000' });

test('a prepared event is never handed to the sync side until it is committed', async (t) => {
  const queue = testQueue(join(tempDir(), 'home'));
  const e = envelope();
  await queue.enqueue(e, 'pending', intent('/p/WP01.md'));
  t.deepEqual(await queue.claim({ limit: 10, leaseMs: 1000 }), []);
  t.is(await queue.countPending(), 0);
  t.deepEqual((await queue.stats()).counts, { pending: 0, held: 0, sent: 0, dead: 0 });
  await queue.commit(e.event_id);
  t.deepEqual((await queue.claim({ limit: 10, leaseMs: 1000 })).map((r) => r.event_id), [e.event_id]);
  queue.close();
});

test('commit makes a prepared event pending, or held without a project identity; discard forgets it', async (t) => {
  const queue = testQueue(join(tempDir(), 'home'));
  const a = envelope();
  const b = envelope({ project_uuid: null, project_slug: null });
  const c = envelope();
  for (const [e, path] of [[a, '/a'], [b, '/b'], [c, '/c']] as const) await queue.enqueue(e, e.project_uuid ? 'pending' : 'held', intent(path));
  t.deepEqual((await queue.prepared()).map((p) => p.intent.path), ['/a', '/b', '/c']);
  t.deepEqual((await queue.prepared('/b')).map((p) => p.event_id), [b.event_id]);
  await queue.commit(a.event_id);
  await queue.commit(b.event_id);
  await queue.discard(c.event_id);
  const rows = (await queue.list()).events;
  t.deepEqual(rows.map((r) => [r.event_id, r.state]), [[a.event_id, 'pending'], [b.event_id, 'held']]);
  await t.notThrowsAsync(queue.commit(a.event_id), 'committing again (recovery met the change first) is that commit, done');
  await t.throwsAsync(queue.commit(c.event_id), { message: /discarded before its change was committed/ });
  queue.close();
});

test('prepared events are found by the lock their change is made under, and by the file they change', async (t) => {
  const queue = testQueue(join(tempDir(), 'home'));
  const e = envelope();
  await queue.enqueue(e, 'pending', { path: '/specs/001-x/meta.json', hash: '0', lock: '/specs/.feature-create' });
  t.deepEqual((await queue.prepared('/specs/.feature-create')).map((p) => p.event_id), [e.event_id]);
  t.deepEqual((await queue.prepared('/specs/001-x/meta.json')).map((p) => p.event_id), [e.event_id]);
  t.deepEqual(await queue.prepared('/specs/002-y/meta.json'), []);
  queue.close();
});

test('adopting held events by project folder takes the folder and those below it, and nothing that only looks alike', async (t) => {
  const home = join(tempDir(), 'home');
  const root = join(tempDir(), 'my_proj%');
  const held = async (cwd: string) => {
    const q = testQueue(home, undefined, cwd);
    const e = envelope({ project_uuid: null, project_slug: null });
    await q.enqueue(e, 'held');
    q.close();
    return e.event_id;
  };
  const inRoot = await held(root);
  const below = await held(join(root, 'src'));
  const lookalike = await held(`${root}x`);
  const wildcard = await held(root.replace('my_proj%', 'myXprojZZ'));
  const queue = testQueue(home);
  t.is(await queue.adoptHeld({ root }, { project_uuid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', project_slug: 'mine' }), 2);
  const state = Object.fromEntries((await queue.list()).events.map((r) => [r.event_id, [r.state, r.envelope.project_slug]]));
  t.deepEqual([state[inRoot], state[below], state[lookalike], state[wildcard]],
    [['pending', 'mine'], ['pending', 'mine'], ['held', null], ['held', null]]);
  t.is(await queue.discardHeld('all'), 2);
  queue.close();
});

test('a nested project\'s held events are not adopted by the project around it', async (t) => {
  const home = join(tempDir(), 'home');
  const root = tempDir('sk-outer-');
  const q = testQueue(home, undefined, join(root, 'inner'));
  const e = envelope({ project_uuid: null, project_slug: null });
  await q.enqueue(e, 'held');
  q.close();
  const queue = testQueue(home);
  const identity = { project_uuid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', project_slug: 'outer' };
  t.is(await queue.adoptHeld({ root }, identity, (origin) => !origin.endsWith('inner')), 0);
  t.is(await queue.adoptHeld({ root }, identity), 1);
  queue.close();
});
