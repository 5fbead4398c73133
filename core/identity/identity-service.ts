// PLACEHOLDER until the identity issue lands.
import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import type { IdentityService, ProjectIdentity, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';

@injectable()
export class ConfigIdentityService implements IdentityService {
  constructor(
    @inject(TOKENS.Options) readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) readonly logger: Logger,
  ) {}
  async resolve(): Promise<ProjectIdentity | null> { return null; }
}
