/** An error answered as `{ "error": code, "message": … }` with its status; bad input is always a 4xx. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly body?: Record<string, unknown>) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthorized = (message = 'a valid access token is required (Authorization: Bearer <token>)') =>
  new HttpError(401, 'unauthorized', message);
