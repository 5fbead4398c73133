import type { Container } from 'inversify';
import { createServices } from '../../cli/composition-root.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { LamportStore } from '../../services/clock/lamport-store.js';
import { SqliteEventQueue } from '../../services/queue/sqlite-queue.js';
import { QueueDatabase } from '../../services/user-db/queue-database.js';
import type { AuthClient, IdentityService, MachineClock, PersistQueue, ReadQueue, SyncQueue } from '../../core/services.js';
import { TOKENS } from '../../core/tokens.js';

export type TestQueue = Partial<PersistQueue & ReadQueue & SyncQueue>;

export interface ServiceOverrides {
  /** Bound as every view of the queue (persist, read, sync). */
  queue?: TestQueue;
  identity?: IdentityService;
  auth?: AuthClient;
  clock?: MachineClock;
}

/** Replaces the container's bindings with test doubles, as an embedder would. */
export function rebindServices(overrides: ServiceOverrides): (container: Container) => void {
  return (c) => {
    if (overrides.queue) {
      const queue = overrides.queue as PersistQueue & ReadQueue & SyncQueue;
      c.rebind(TOKENS.PersistQueue).toConstantValue(queue);
      c.rebind(TOKENS.ReadQueue).toConstantValue(queue);
      c.rebind(TOKENS.SyncQueue).toConstantValue(queue);
    }
    if (overrides.identity) c.rebind(TOKENS.Identity).toConstantValue(overrides.identity);
    if (overrides.auth) c.rebind(TOKENS.Auth).toConstantValue(overrides.auth);
    if (overrides.clock) c.rebind(TOKENS.Clock).toConstantValue(overrides.clock);
  };
}

const quiet = createLogger({ color: false, write: () => {} });

/** Closing the service also closes its database, so a test can reopen the same file. */
function closingAll<T extends object>(service: T, container: Container): T & { close(): void } {
  const own = (service as { close?: () => void }).close?.bind(service);
  return Object.assign(service, { close: () => { own?.(); container.get(TOKENS.UserDatabase).close(); } });
}

/** The real queue on `home`, built by the composition root, as run in `cwd`; `close()` closes its database. */
export function testQueue(home: string, logger: Logger = quiet, cwd = home): SqliteEventQueue & { close(): void } {
  const container = createServices({ cwd, home, logger });
  return closingAll(container.get(SqliteEventQueue), container);
}

/** The real machine clock on `home`; `close()` closes its database. */
export function testClock(home: string, logger: Logger = quiet): MachineClock & { close(): void } {
  const container = createServices({ cwd: home, home, logger });
  return closingAll(container.get(TOKENS.Clock), container);
}

/** The Lamport store alone on `home`'s database; `close()` closes it. */
export function testStore(home: string, logger: Logger = quiet): LamportStore & { close(): void } {
  const database = new QueueDatabase({ home }, logger);
  return Object.assign(new LamportStore(database), { close: () => database.close() });
}
