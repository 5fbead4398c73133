// PLACEHOLDER until the identity issue lands: replaced by the SQLite-backed clock.
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import type { MachineClock, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';

export function machineNodeId(): string {
  return createHash('sha256').update(`${hostname()}:${userInfo().username}`).digest('hex').slice(0, 12);
}

@injectable()
export class SqliteMachineClock implements MachineClock {
  readonly nodeId = machineNodeId();
  private value = 0;
  constructor(
    @inject(TOKENS.Options) readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) readonly logger: Logger,
  ) {}
  tick(): number { return ++this.value; }
  witness(remote: number): number { this.value = Math.max(this.value, remote); return this.tick(); }
}
