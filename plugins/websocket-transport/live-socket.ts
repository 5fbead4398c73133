import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { backoffDelayMs, isHubFailure, type Envelope, type HubAccess, type HubClient, type HubSession, type Logger } from 'spec-kitty/plugin';
import { validateWsServerMessage } from '../../contract/sync.check.js';
import { PendingAcks, type Ack } from './acks.js';
import type { WebsocketTransportOptions } from './options.js';
import { wsUrl } from './ws-url.js';

export interface LiveSocketDeps {
  hub(): HubClient;
  session(): HubSession;
  logger: Logger;
  options: WebsocketTransportOptions;
}

type State = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

const NORMAL_CLOSURE = 1000;

/**
 * One WebSocket to the hub, opened in the background and reused for the life of the process:
 * the ws-token exchange, the upgrade, the snapshot, then events out and acks in. A socket that
 * closes, or stops answering pings, is reopened with exponential backoff and full jitter. Its
 * timers and its TCP socket are unref'd: it never holds the process open.
 */
export class LiveSocket {
  readonly #deps: LiveSocketDeps;
  readonly #acks = new PendingAcks();
  #state: State = 'idle';
  #ws: WebSocket | null = null;
  /** Failed connects in a row: the backoff's exponent. */
  #failures = 0;
  #retry?: NodeJS.Timeout;
  #ping?: NodeJS.Timeout;
  #alive = true;

  constructor(deps: LiveSocketDeps) {
    this.#deps = deps;
  }

  /** Open, with the snapshot received: events sent now are acked on it. */
  get ready(): boolean {
    return this.#state === 'open';
  }

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  /** Starts connecting, unless open, connecting, waiting to reconnect, or stopped. */
  open(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'connecting';
    void this.#connect();
  }

  /** Sends the envelope (bare, as every client of the hub may); its ack, or null if none came in time. */
  send(envelope: Envelope): Promise<Ack | null> {
    const ws = this.#ws;
    if (this.#state !== 'open' || !ws) return Promise.resolve(null);
    const ack = this.#acks.wait(envelope.event_id, this.#deps.options.ackTimeoutMs);
    ws.send(JSON.stringify(envelope), (err) => {
      if (err) this.#acks.settle(envelope.event_id, null);
    });
    return ack;
  }

  /** Closes the socket (1000), and cuts it at `deadline` if the hub has not finished the close by then. */
  async stop(deadline: number): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#acks.settleAll();
    const ws = this.#ws;
    this.#ws = null;
    if (!ws || ws.readyState === ws.CLOSED) return;
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => { ws.terminate(); resolve(); }, Math.max(0, deadline - Date.now()));
      cut.unref();
      ws.once('close', () => { clearTimeout(cut); resolve(); });
      if (ws.readyState === ws.CONNECTING) ws.terminate();
      else ws.close(NORMAL_CLOSURE, 'the client is exiting');
    });
  }

  async #connect(): Promise<void> {
    const { options } = this.#deps;
    let ws: WebSocket | null = null;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; ws?.terminate(); }, options.connectTimeoutMs);
    timer.unref();
    try {
      const access = await this.#access();
      if (timedOut) throw new Error('timed out');
      if (!access || this.#stopped()) {
        // Logged out: nothing to reopen until a deliver finds the user logged in again.
        if (!this.#stopped()) this.#state = 'idle';
        return;
      }
      ws = await this.#dial(access, (created) => {
        ws = created;
        if (timedOut) created.terminate();
      });
      clearTimeout(timer);
      if (this.#stopped()) {
        ws.terminate();
        return;
      }
      this.#opened(ws);
    } catch (error) {
      clearTimeout(timer);
      if (this.#stopped()) return;
      const why = timedOut ? `no snapshot within ${options.connectTimeoutMs} ms` : (error as Error).message;
      this.#reconnectLater(`could not open the hub's WebSocket: ${why}`);
    }
  }

  /** A usable access token with a ws token for it; null when logged out. One refresh on a 401. */
  async #access(): Promise<(HubAccess & { wsToken: string }) | null> {
    const { hub, session } = this.#deps;
    let access = await session().access();
    if (!access) return null;
    try {
      return { ...access, wsToken: (await hub().wsToken(access.server, access.token)).ws_token };
    } catch (error) {
      if (!isHubFailure(error) || error.kind !== 'unauthorized') throw error;
      access = await session().access({ force: true });
      if (!access) return null;
      return { ...access, wsToken: (await hub().wsToken(access.server, access.token)).ws_token };
    }
  }

  /** The upgrade, then the snapshot the hub sends first: only then is the socket ready. */
  async #dial(access: HubAccess & { wsToken: string }, created: (ws: WebSocket) => void): Promise<WebSocket> {
    const { default: WebSocketClass } = await import('ws');
    const ws = new WebSocketClass(wsUrl(access.server), {
      headers: { authorization: `Bearer ${access.wsToken}` },
      handshakeTimeout: this.#deps.options.connectTimeoutMs,
      followRedirects: false,
    });
    created(ws);
    // The upgraded TCP socket must not keep the process alive on its own.
    ws.once('upgrade', (response: IncomingMessage) => response.socket.unref());
    return new Promise<WebSocket>((resolve, reject) => {
      const fail = (why: string) => { cleanup(); ws.terminate(); reject(new Error(why)); };
      const onMessage = (data: RawData) => {
        const message = parse(data);
        if (message?.type === 'snapshot') {
          cleanup();
          resolve(ws);
        } else fail('the hub did not send the snapshot first');
      };
      const onError = (err: Error) => fail(err.message);
      const onClose = (code: number) => fail(`closed (${code}) before the snapshot`);
      const onUnexpected = (_req: unknown, res: IncomingMessage) => fail(`the upgrade was answered ${res.statusCode}`);
      const cleanup = () => {
        ws.off('message', onMessage);
        ws.off('error', onError);
        ws.off('close', onClose);
        ws.off('unexpected-response', onUnexpected);
      };
      ws.on('message', onMessage);
      ws.on('error', onError);
      ws.on('close', onClose);
      ws.on('unexpected-response', onUnexpected);
    });
  }

  #opened(ws: WebSocket): void {
    const { logger, options } = this.#deps;
    this.#ws = ws;
    this.#state = 'open';
    this.#failures = 0;
    this.#alive = true;
    logger.debug('websocket-transport: connected to the hub');
    ws.on('message', (data: RawData) => {
      this.#alive = true;
      const message = parse(data);
      if (message?.type === 'ack') this.#acks.settle(message.event_id, { status: message.status, error_message: message.error_message });
      else if (message?.type === 'ping') ws.send(JSON.stringify({ type: 'pong', timestamp: new Date().toISOString() }));
    });
    ws.on('pong', () => { this.#alive = true; });
    // An error is followed by 'close', where the socket is reopened.
    ws.on('error', (err: Error) => logger.debug(`websocket-transport: ${err.message}`));
    ws.once('close', (code: number) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#ping);
      this.#acks.settleAll();
      if (this.#state !== 'stopped') this.#reconnectLater(`the hub's WebSocket closed (${code})`);
    });
    this.#ping = setInterval(() => {
      // No answer since the last ping: the connection is dead, whatever TCP thinks.
      if (!this.#alive) {
        ws.terminate();
        return;
      }
      this.#alive = false;
      ws.ping();
    }, options.pingIntervalMs);
    this.#ping.unref();
  }

  #reconnectLater(why: string): void {
    const { logger, options } = this.#deps;
    this.#failures += 1;
    const delay = backoffDelayMs(this.#failures, { baseMs: options.reconnectBaseMs, maxMs: options.reconnectMaxMs });
    logger.debug(`websocket-transport: ${why}; retrying in ${delay} ms (events stay queued for batch sync)`);
    this.#state = 'waiting';
    this.#retry = setTimeout(() => {
      if (this.#state !== 'waiting') return;
      this.#state = 'idle';
      this.open();
    }, delay);
    this.#retry.unref();
  }
}

/** A server message that keeps the contract, or null (a hostile or broken hub is ignored, not trusted). */
function parse(data: RawData) {
  let message: unknown;
  try {
    message = JSON.parse(String(data));
  } catch {
    return null;
  }
  return validateWsServerMessage(message) ? message : null;
}
