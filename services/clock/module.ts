import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { SqliteMachineClock } from './machine-clock.js';

/** This machine's node id and its Lamport clock, kept in the per-user database. */
export const clockModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Clock).to(SqliteMachineClock).inSingletonScope();
});
