import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { QueueDatabase } from './queue-database.js';

/** The per-user database (`$SPEC_KITTY_HOME/queue.db`), shared by the queue and the clock. */
export const userDbModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.UserDatabase).to(QueueDatabase).inSingletonScope();
});
