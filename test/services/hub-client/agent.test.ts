import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectTimeoutAgent } from '../../../services/hub-client/agent.js';

// Without an Agent the connect phase is bounded only by the total timeout; on the Node we
// support one must be found, and requests must go through it.
test('on this Node, connectTimeoutAgent gives an undici Agent that fetch uses', async (t) => {
  const agent = await connectTimeoutAgent(100);
  t.truthy(agent);
  t.is(agent!.constructor.name, 'Agent');
  const server = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(async () => {
    await agent!.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`, { dispatcher: agent } as RequestInit);
  t.is(await res.text(), 'ok');
});
