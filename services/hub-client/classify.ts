import type { CompiledValidator } from '../../contract/index.js';
import { validateBadRequestBody, validateTooLargeBody } from '../../contract/sync.check.js';
import type { HubFailure } from '../../core/services.js';
import { HubError } from './hub-error.js';
import type { HubResponse } from './hub-request.js';
import { parseRetryAfter } from './retry-after.js';
import { redact } from './redact.js';

/** The body of a 2xx answer, checked against the contract; anything else is a HubError. */
export function expectBody<T>(response: HubResponse, validate: CompiledValidator<T>): T {
  if (response.status < 200 || response.status > 299) throw failureOf(response);
  if (validate(response.body)) return response.body;
  throw protocolError(response, `the answer breaks the contract: ${violation(validate)}`);
}

/** A 2xx answer whose body does not matter; anything else is a HubError. */
export function expectOk(response: HubResponse): void {
  if (response.status < 200 || response.status > 299) throw failureOf(response);
}

export function protocolError(response: HubResponse, detail: string): HubError {
  return new HubError({ kind: 'protocol', status: response.status }, redact(`${response.what}: ${response.status}: ${detail}`, response.secrets));
}

/** The HubError a non-2xx answer stands for. */
export function failureOf(response: HubResponse): HubError {
  const { status } = response;
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>;
  const code = typeof body.error === 'string' ? body.error : undefined;
  const hubMessage = typeof body.message === 'string' ? body.message : undefined;
  const base = { status, ...(code !== undefined ? { code } : {}) };
  let failure: HubFailure;
  if (status === 401) failure = { ...base, kind: 'unauthorized' };
  else if (status === 403) failure = { ...base, kind: 'forbidden' };
  else if (status === 413) failure = { ...base, kind: 'too_large', ...(validateTooLargeBody(response.body) ? { limits: response.body.limits } : {}) };
  else if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'))
      ?? (typeof body.retry_after === 'number' ? body.retry_after : undefined);
    failure = { ...base, kind: 'rate_limited', ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  } else if (status >= 400 && status <= 499) {
    const details = validateBadRequestBody(response.body) ? response.body.details : undefined;
    failure = { ...base, kind: 'bad_request', ...(details ? { details } : {}) };
  } else if (status >= 500 && status <= 599) failure = { ...base, kind: 'server' };
  else return protocolError(response, 'an unexpected status');
  const reason = [code, hubMessage].filter(Boolean).join(': ');
  return new HubError(failure, redact(`${response.what}: ${status} ${failure.kind}${reason ? ` (${reason})` : ''}`, response.secrets));
}

function violation(validate: CompiledValidator): string {
  const first = validate.errors?.[0];
  if (!first) return 'not the expected JSON';
  return `${first.instancePath || '(the body)'} ${first.message ?? first.keyword}`;
}
