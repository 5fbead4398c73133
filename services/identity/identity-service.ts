import { inject, injectable } from 'inversify';
import type { Logger } from '../../lib/logger.js';
import type { IdentityService, MachineClock, ProjectIdentity, RuntimeOptions } from '../../core/services.js';
import { TOKENS } from '../../core/tokens.js';
import { findProjectRoot } from './project-root.js';
import { resolveIdentity } from './resolve-identity.js';

/** The container's IdentityService: `.kittify/config.yaml` above `cwd`, resolved once per process. */
@injectable()
export class ConfigIdentityService implements IdentityService {
  private resolved?: Promise<ProjectIdentity | null>;

  constructor(
    @inject(TOKENS.Options) private readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: MachineClock,
  ) {}

  resolve(): Promise<ProjectIdentity | null> {
    this.resolved ??= resolveIdentity(this.options.cwd, { logger: this.logger, nodeId: () => this.clock.nodeId }).then((outcome) => outcome?.identity ?? null);
    return this.resolved;
  }

  projectRootOf(folder: string): string | null {
    return findProjectRoot(folder);
  }
}
