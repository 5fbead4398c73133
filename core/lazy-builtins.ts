import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

// Node built-ins that pull in the stream stack when loaded (about 6 ms each on a slow machine):
// loaded on first use, so a command that never needs them never pays for them.
const load = <T>(name: string) => (): T => createRequire(import.meta.url)(name) as T;

/** For running git; most commands never do. */
export const childProcess = load<typeof ChildProcess>('node:child_process');

/** For hashing and new uuids, which an everyday command needs only once per machine or project. */
export const nodeCrypto = load<typeof Crypto>('node:crypto');
