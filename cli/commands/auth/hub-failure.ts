import { isHubFailure, type HubFailure } from '../../../core/services.js';
import { UserError } from '../../../core/errors.js';

/** One line for a failed call to the hub, naming no secret. */
export function hubFailureLine(failure: HubFailure & Error, server: string): string {
  switch (failure.kind) {
    case 'unauthorized': return 'wrong username or password';
    case 'network': return `cannot reach the hub at ${server} (is it running, and is the URL right?)`;
    case 'timeout': return `cannot reach the hub at ${server}: it did not answer in time`;
    case 'rate_limited': return `too many login attempts; try again in ${failure.retryAfterSeconds ?? 60} s`;
    case 'forbidden': return `the hub at ${server} refused the login (forbidden)`;
    case 'server': return `the hub at ${server} failed (HTTP ${failure.status}); try again later`;
    case 'protocol': return `${server} did not answer as a spec-kitty hub`;
    default: return `the hub at ${server} refused the request: ${failure.message}`;
  }
}

/** A HubError as a one-line UserError (exit 1); anything else unchanged. */
export function asUserError(err: unknown, server: string): unknown {
  return isHubFailure(err) ? new UserError(hubFailureLine(err, server)) : err;
}
