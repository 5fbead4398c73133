import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import type { MachineClock, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';
import { LamportStore } from './lamport-store.js';
import { machineNodeId } from './node-id.js';

export { machineNodeId } from './node-id.js';

/** The container's MachineClock: this machine's node id and its shared Lamport clock. */
@injectable()
export class SqliteMachineClock implements MachineClock {
  readonly nodeId = machineNodeId();
  private readonly store: LamportStore;

  constructor(
    @inject(TOKENS.Options) options: RuntimeOptions,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.store = new LamportStore(options.home, logger);
  }

  tick(): number {
    return this.store.tick();
  }

  witness(remote: number): number {
    return this.store.witness(remote);
  }

  close(): void {
    this.store.close();
  }
}
