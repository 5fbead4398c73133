import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import type { IdentityService, ProjectIdentity, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';
import { resolveIdentity } from './resolve-identity.js';

/** The container's IdentityService: `.kittify/config.yaml` above `cwd`, resolved once per process. */
@injectable()
export class ConfigIdentityService implements IdentityService {
  private resolved?: Promise<ProjectIdentity | null>;

  constructor(
    @inject(TOKENS.Options) private readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  resolve(): Promise<ProjectIdentity | null> {
    this.resolved ??= resolveIdentity(this.options.cwd, { logger: this.logger }).then((outcome) => outcome?.identity ?? null);
    return this.resolved;
  }
}
