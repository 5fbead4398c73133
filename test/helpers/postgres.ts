// A throwaway PostgreSQL cluster for local runs and CI (SPEC_KITTY_TEST_PG).
//
//   node --import tsx test/helpers/postgres.ts start DIR   initdb into DIR, start it, print its URL
//   node --import tsx test/helpers/postgres.ts stop DIR    stop it and remove DIR
//
// It uses the server binaries of Debian's `postgresql` package (/usr/lib/postgresql/N/bin, or
// $PG_BIN). The server refuses to run as root, so as root it runs as the `postgres` user (or
// $PG_USER) through runuser; as anyone else, as that user. The cluster listens on 127.0.0.1 only,
// on a free port, with its Unix socket in DIR, and takes a random password (scram-sha-256). It
// trades durability for speed (fsync off): it holds nothing worth keeping.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Cluster {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres, a superuser. */
  url: string;
  dir: string;
}

/** The newest installed server's bin folder. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${base} (apt-get install postgresql), or set PG_BIN`);
  return join(base, versions[0], 'bin');
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const runAs = () => process.env.PG_USER ?? 'postgres';

/** Runs a server binary, as the unprivileged user when we are root. */
function run(binary: string, args: string[]): string {
  const file = join(postgresBin(), binary);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', runAs(), '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
}

function idsOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** initdb into `dir` (created if missing; must hold no cluster yet), start, and return its URL. */
export async function startCluster(dir: string): Promise<Cluster> {
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, 'data'))) throw new Error(`${dir} holds a cluster already`);
  if (isRoot()) {
    const { uid, gid } = idsOf(runAs());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const password = randomBytes(18).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = idsOf(runAs());
    chownSync(pwfile, uid, gid);
  }
  run('initdb', [
    '-D', join(dir, 'data'),
    '-U', 'postgres',
    '--pwfile', pwfile,
    '--auth-host=scram-sha-256',
    '--auth-local=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  rmSync(pwfile, { force: true });
  const socketDir = join(dir, 'socket');
  const port = await freePort();
  // The socket folder is made by the server's user: initdb made data/ already, so mkdir as them.
  if (isRoot()) execFileSync('runuser', ['-u', runAs(), '--', 'mkdir', '-m', '0700', socketDir]);
  else mkdirSync(socketDir, { mode: 0o700 });
  const options = [
    `-p ${port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${socketDir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', '-s', 'start']);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  writeFileSync(join(dir, 'url'), `${url}\n`, { mode: 0o600 });
  return { url, dir };
}

/** Stops the cluster in `dir` (if it runs) and removes `dir`. */
export function stopCluster(dir: string): void {
  dir = resolve(dir);
  if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '60', '-s', 'stop']);
    } catch (error) {
      process.stderr.write(`pg_ctl stop: ${(error as Error).message}\n`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The URL a running cluster in `dir` was started with. */
export function clusterUrl(dir: string): string {
  return readFileSync(join(resolve(dir), 'url'), 'utf8').trim();
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [command, dir] = process.argv.slice(2);
  if ((command !== 'start' && command !== 'stop' && command !== 'url') || !dir) {
    process.stderr.write('usage: test/helpers/postgres.ts start|stop|url DIR\n');
    process.exit(2);
  }
  try {
    if (command === 'start') {
      const cluster = await startCluster(dir);
      process.stdout.write(`${cluster.url}\n`);
    } else if (command === 'url') {
      process.stdout.write(`${clusterUrl(dir)}\n`);
    } else {
      stopCluster(dir);
    }
  } catch (error) {
    const err = error as Error & { stderr?: string };
    process.stderr.write(`postgres ${command}: ${err.message}\n${err.stderr ?? ''}`);
    if (command === 'start') {
      try {
        process.stderr.write(readFileSync(join(resolve(dir), 'server.log'), 'utf8'));
      } catch {
        // no log yet
      }
    }
    process.exit(1);
  }
}
