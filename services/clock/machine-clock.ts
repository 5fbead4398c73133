import { inject, injectable } from 'inversify';
import type { MachineClock, RuntimeOptions } from '../../core/services.js';
import type { UserDatabase } from '../../core/user-database.js';
import { TOKENS } from '../../core/tokens.js';
import { LamportStore } from './lamport-store.js';
import { machineNodeId } from './node-id.js';

/** The container's MachineClock: this machine's node id and its shared Lamport clock. */
@injectable()
export class SqliteMachineClock implements MachineClock {
  private readonly store: LamportStore;
  private readonly home: string;
  private id?: string;

  constructor(
    @inject(TOKENS.Options) options: RuntimeOptions,
    @inject(TOKENS.UserDatabase) database: UserDatabase,
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
}
