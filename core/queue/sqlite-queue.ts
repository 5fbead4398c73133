// PLACEHOLDER until the queue issue lands.
import { inject, injectable } from 'inversify';
import type { Envelope } from '../envelope.js';
import type { Logger } from '../logger.js';
import type { EventQueue, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';

@injectable()
export class SqliteEventQueue implements EventQueue {
  constructor(
    @inject(TOKENS.Options) readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) readonly logger: Logger,
  ) {}
  async enqueue(_envelope: Envelope, _state: 'pending' | 'held'): Promise<{ inserted: boolean }> {
    throw new Error('the durable queue is not built yet');
  }
  close(): void {}
}
