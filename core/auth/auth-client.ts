// PLACEHOLDER until the identity issue lands.
import { inject, injectable } from 'inversify';
import type { Logger } from '../logger.js';
import type { AuthClient, AuthStatus, RuntimeOptions } from '../services.js';
import { TOKENS } from '../tokens.js';

@injectable()
export class ConfAuthClient implements AuthClient {
  constructor(
    @inject(TOKENS.Options) readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) readonly logger: Logger,
  ) {}
  getTeamSlug(): string { return 'local'; }
  status(): AuthStatus { return { loggedIn: false, teamSlug: 'local', username: null, hubUrl: null }; }
}
