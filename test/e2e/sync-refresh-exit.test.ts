import test from 'ava';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { readCredentials } from '../../services/auth/credentials.js';
import { project, storeLogin, syncConfig } from './sync-helpers.js';

// The hub rotates the refresh token as it answers. A refresh the command's exit cut off before it
// was saved would leave the stored refresh token spent: the next refresh would be refused as a
// reuse and log the user out. So a refresh, once sent, is seen through.

test('a refresh still in flight when the exit flush ends is waited for and saved, with no handle warning', async (t) => {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url ?? '');
      const reply = (body: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (req.url === '/api/v1/token/refresh/') {
        // Slower than the flush's 400 ms: the command is past its deadline when this answers.
        setTimeout(() => reply({ access: 'rotated-access', refresh: 'rotated-refresh', access_lifetime: 900, refresh_lifetime: 86_400, team_slug: 'acme' }), 1_500);
      } else if (req.url === '/api/v1/events/batch/') {
        reply({ results: [] });
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => { for (const s of sockets) s.destroy(); server.close(); });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const p = await project(t);
  // 30 s left on the access token: inside the refresh margin, so the flush refreshes first.
  await storeLogin(p.home, url, 30);
  syncConfig(p, 'background: false\nexit_flush_ms: 400');
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  t.true(seen.includes('/api/v1/token/refresh/'), seen.join(' '));
  t.like(readCredentials(p.home), { refresh_token: 'rotated-refresh', access_token: 'rotated-access' }, 'the rotation was saved');
  t.notRegex(r.stderr, /left .* open/);
});
