import type { HubErrorKind, HubFailure } from '../../core/services.js';

/** A failed call to the hub, classified (see HubErrorKind). The message names no secret. */
export class HubError extends Error implements HubFailure {
  readonly kind: HubErrorKind;
  readonly status: number | null;
  readonly code?: string;
  readonly retryAfterSeconds?: number;
  readonly limits?: HubFailure['limits'];
  readonly details?: HubFailure['details'];

  constructor(failure: HubFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubError';
    this.kind = failure.kind;
    this.status = failure.status;
    if (failure.code !== undefined) this.code = failure.code;
    if (failure.retryAfterSeconds !== undefined) this.retryAfterSeconds = failure.retryAfterSeconds;
    if (failure.limits !== undefined) this.limits = failure.limits;
    if (failure.details !== undefined) this.details = failure.details;
  }
}
