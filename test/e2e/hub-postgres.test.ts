import test from 'ava';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import WebSocket from 'ws';
import { envelope } from '../helpers/envelope.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { serveHub } from '../helpers/hub.js';

const ADMIN_URL = process.env.SPEC_KITTY_TEST_PG;
const PASSWORD = 'correct horse battery';

if (!ADMIN_URL) {
  test.skip('two hub processes on one PostgreSQL (skipped: set SPEC_KITTY_TEST_PG; .ci/run does)', () => undefined);
} else {
  test('two hub processes on one PostgreSQL: a batch sent to one is pushed live by the other', async (t) => {
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
    const name = `sk_e2e_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
    const opts = { cwd: tempDir('sk-hubpg-'), home: tempDir('sk-hubpg-home-') };
    const hubs: Array<Awaited<ReturnType<typeof serveHub>>> = [];
    try {
      t.is((await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin', '--db', url], { ...opts, input: PASSWORD })).code, 0);
      // Both start at once; one that fails must not leave the other running.
      const started = await Promise.allSettled([serveHub(['--db', url], opts), serveHub(['--db', url], opts)]);
      for (const s of started) if (s.status === 'fulfilled') hubs.push(s.value);
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      const [a, b] = hubs.map((h) => h.url);
      const login = async (hub: string) => (await (await fetch(`${hub}/api/v1/token/`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: PASSWORD }),
      })).json()) as { access: string };
      const tokenB = await login(b);
      const { ws_token } = await (await fetch(`${b}/api/v1/ws-token/`, { method: 'POST', headers: { authorization: `Bearer ${tokenB.access}` } })).json() as { ws_token: string };
      const socket = new WebSocket(`${b.replace('http', 'ws')}/ws/v1/events/`, { headers: { authorization: `Bearer ${ws_token}` } });
      t.teardown(() => socket.terminate());
      const messages: Array<{ type: string; event_id?: string }> = [];
      const pushed = new Promise<string>((resolve) => socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; event_id?: string };
        messages.push(message);
        if (message.type === 'event') resolve(message.event_id!);
      }));
      await new Promise((resolve) => socket.once('open', resolve));

      const event = envelope({ team_slug: 'acme' });
      const tokenA = await login(a);
      const batch = await fetch(`${a}/api/v1/events/batch/`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA.access}` }, body: JSON.stringify({ events: [event] }),
      });
      t.is(batch.status, 200);
      t.is(await Promise.race([pushed, new Promise<string>((r) => setTimeout(() => r('timed out'), 10_000))]), event.event_id);
      t.is(messages[0].type, 'snapshot');
    } finally {
      await Promise.all(hubs.map((h) => h.stop()));
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end({ timeout: 5 });
    }
  });
}
