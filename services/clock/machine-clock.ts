import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import { QueueDatabase } from '../queue/queue-database.js';
import type { MachineClock, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';
import { LamportStore } from './lamport-store.js';
import { machineNodeId } from './node-id.js';

export { machineNodeId } from './node-id.js';

/** The container's MachineClock: this machine's node id and its shared Lamport clock. */
@injectable()
export class SqliteMachineClock implements MachineClock {
  private readonly store: LamportStore;
  private readonly home: string;
  private id?: string;

  constructor(
    @inject(TOKENS.Options) options: RuntimeOptions,
    @inject(TOKENS.Logger) logger: Logger,
    // Shared with the queue in the container; a clock built by hand gets its own connection.
    @inject(TOKENS.QueueDatabase) database: QueueDatabase = new QueueDatabase(options.home, logger),
  ) {
    this.store = new LamportStore(database);
    this.home = options.home;
  }

  get nodeId(): string {
    return (this.id ??= machineNodeId(this.home));
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
