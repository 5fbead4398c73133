import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { SqliteEventQueue } from './sqlite-queue.js';

/** The durable offline queue: one instance, seen through each consumer's interface. */
export const queueModule = new ContainerModule(({ bind }) => {
  bind(SqliteEventQueue).toSelf().inSingletonScope();
  bind(TOKENS.PersistQueue).toService(SqliteEventQueue);
  bind(TOKENS.ReadQueue).toService(SqliteEventQueue);
  bind(TOKENS.SyncQueue).toService(SqliteEventQueue);
  bind(TOKENS.Closable).toService(SqliteEventQueue);
});
