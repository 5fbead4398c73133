import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { addUser, serveHub, type RunningHub } from '../../hub/index.js';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';

export interface TestHub {
  hub: RunningHub;
  url: string;
  db: string;
  log: string[];
  /** Logs in; the access token. */
  login(user: string, password?: string): Promise<{ access: string; refresh: string; team_slug: string }>;
  call(path: string, init?: { method?: string; token?: string; body?: unknown; gzip?: boolean; headers?: Record<string, string>; raw?: Buffer | string }): Promise<{ status: number; body: any; headers: Headers }>;
}

export const PASSWORD = 'correct horse battery';

/** A real hub on 127.0.0.1, port 0, over a temp SQLite file, with users ada (acme), bob (acme), eve (evil). */
export async function startHub(options: { db?: string; users?: boolean } = {}): Promise<TestHub> {
  const db = options.db ?? join(tempDir('sk-hub-'), 'hub.db');
  const storage = createSqliteStorage({ file: db });
  await storage.migrate();
  if (options.users !== false) {
    await addUser(storage, 'ada', 'acme', PASSWORD);
    await addUser(storage, 'bob', 'acme', PASSWORD);
    await addUser(storage, 'eve', 'evil', PASSWORD);
  }
  const log: string[] = [];
  const hub = await serveHub({ storage, host: '127.0.0.1', port: 0, log: (line) => log.push(line) });
  const call: TestHub['call'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: Buffer | string | undefined = init.raw;
    if (init.body !== undefined) {
      const json = Buffer.from(JSON.stringify(init.body));
      body = init.gzip ? gzipSync(json) : json;
      headers['content-type'] ??= 'application/json';
      if (init.gzip) headers['content-encoding'] = 'gzip';
    }
    const response = await fetch(`${hub.url}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    hub, url: hub.url, db, log, call,
    async login(user, password = PASSWORD) {
      const r = await call('/api/v1/token/', { body: { username: user, password } });
      if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}
