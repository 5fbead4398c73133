import type { Envelope, EventResult, TokenResponse, WsTokenResponse } from '../../contract/index.js';
import { validateBatchResponse, validateHealthResponse, validateTokenResponse, validateWsTokenResponse } from '../../contract/sync.check.js';
import type { BatchOptions, HubClient, HubLimits } from '../../core/services.js';
import { connectTimeoutAgent, type Dispatcher } from './agent.js';
import { expectBody, expectOk } from './classify.js';
import { hubRequest, type HubRequest, type Timeouts } from './hub-request.js';

export interface HubClientOptions {
  /** To open the connection (default 3 s). */
  connectTimeoutMs?: number;
  /** For the whole exchange, the full answer read (default 10 s). */
  totalTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 10_000;

/** The hub's HTTP API over Node's fetch: one request per call, never retried, failures classified. */
export class FetchHubClient implements HubClient {
  readonly #timeouts: Timeouts;
  #dispatcher?: Promise<Dispatcher | undefined>;

  constructor(options: HubClientOptions = {}) {
    const { connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, totalTimeoutMs = DEFAULT_TOTAL_TIMEOUT_MS } = options;
    if (!(connectTimeoutMs > 0) || !(totalTimeoutMs > 0)) throw new RangeError('hub client timeouts must be > 0 ms');
    this.#timeouts = { connectTimeoutMs, totalTimeoutMs };
  }

  async token(server: string, username: string, password: string): Promise<TokenResponse> {
    const r = await this.#send({ server, method: 'POST', path: '/api/v1/token/', json: { username, password }, secrets: [password] });
    return expectBody(r, validateTokenResponse);
  }

  async refresh(server: string, refreshToken: string): Promise<TokenResponse> {
    const r = await this.#send({ server, method: 'POST', path: '/api/v1/token/refresh/', json: { refresh: refreshToken }, secrets: [refreshToken] });
    return expectBody(r, validateTokenResponse);
  }

  async logout(server: string, access: string, refresh?: string): Promise<void> {
    const json = refresh === undefined ? undefined : { refresh };
    expectOk(await this.#send({ server, method: 'POST', path: '/api/v1/logout/', access, json, secrets: [refresh] }));
  }

  async wsToken(server: string, access: string): Promise<WsTokenResponse> {
    return expectBody(await this.#send({ server, method: 'POST', path: '/api/v1/ws-token/', access }), validateWsTokenResponse);
  }

  async sendBatch(server: string, access: string, envelopes: readonly Envelope[], options: BatchOptions = {}): Promise<EventResult[]> {
    const r = await this.#send({
      server, method: 'POST', path: '/api/v1/events/batch/', access, json: { events: envelopes }, gzip: options.gzip ?? true, signal: options.signal,
    });
    return expectBody(r, validateBatchResponse).results;
  }

  async health(server: string): Promise<HubLimits> {
    const { sync_ingress } = expectBody(await this.#send({ server, method: 'GET', path: '/api/v1/sync/health/' }), validateHealthResponse);
    const { max_events_per_batch, max_decompressed_bytes_per_batch } = sync_ingress.limits;
    return { max_events_per_batch, max_decompressed_bytes_per_batch };
  }

  /** Lets go of the kept-alive connections. */
  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    await (await dispatcher)?.close();
  }

  async #send(request: HubRequest) {
    this.#dispatcher ??= connectTimeoutAgent(this.#timeouts.connectTimeoutMs);
    return hubRequest(request, this.#timeouts, await this.#dispatcher);
  }
}
