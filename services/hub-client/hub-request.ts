import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Dispatcher } from './agent.js';
import { HubError } from './hub-error.js';
import { hubUrl } from './hub-url.js';
import { redact } from './redact.js';


export interface HubRequest {
  server: string;
  method: 'GET' | 'POST';
  /** Under the server's base URL, e.g. `/api/v1/token/`. */
  path: string;
  /** Sent as `Authorization: Bearer …`. */
  access?: string;
  /** Sent as the JSON body (none when undefined). */
  json?: unknown;
  gzip?: boolean;
  /** What no message may show (the access token is added). */
  secrets?: readonly (string | undefined)[];
  /** The caller gave up (a sync stopping): the request is cut, and fails as `network`. */
  signal?: AbortSignal;
}

export interface HubResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when empty or not JSON. */
  body: unknown;
  /** `POST https://hub/api/v1/token/`: how messages name the call. */
  what: string;
  secrets: readonly (string | undefined)[];
}

export interface Timeouts {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

const CONNECT_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** One request, no retry: the whole exchange (connect, send, the full answer) within the total timeout. */
export async function hubRequest(request: HubRequest, timeouts: Timeouts, dispatcher: Dispatcher | undefined): Promise<HubResponse> {
  const url = hubUrl(request.server, request.path);
  const what = `${request.method} ${url.origin}${url.pathname}`;
  const secrets = [...(request.secrets ?? []), request.access];
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.access !== undefined) headers.authorization = `Bearer ${request.access}`;
  let body: Uint8Array | undefined;
  if (request.json !== undefined) {
    const json = Buffer.from(JSON.stringify(request.json));
    headers['content-type'] = 'application/json';
    if (request.gzip) headers['content-encoding'] = 'gzip';
    body = request.gzip ? await promisify(gzipCallback)(json) : json;
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeouts.totalTimeoutMs);
  const giveUp = () => controller.abort();
  request.signal?.addEventListener('abort', giveUp, { once: true });
  if (request.signal?.aborted) controller.abort();
  try {
    const response = await fetch(url, {
      method: request.method, headers, body, signal: controller.signal, redirect: 'manual',
      ...(dispatcher ? { dispatcher } : {}),
    } as RequestInit);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text), what, secrets };
  } catch (err) {
    if (timedOut) {
      throw new HubError({ kind: 'timeout', status: null }, `${what}: no complete answer within ${timeouts.totalTimeoutMs} ms`);
    }
    const code = causeCode(err);
    if (code !== undefined && CONNECT_TIMEOUT_CODES.has(code)) {
      throw new HubError({ kind: 'timeout', status: null }, `${what}: could not connect within ${timeouts.connectTimeoutMs} ms`, { cause: err });
    }
    throw new HubError({ kind: 'network', status: null }, redact(`${what}: cannot reach the hub: ${causeMessage(err)}`, secrets), { cause: err });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', giveUp);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function causeMessage(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? cause : err instanceof Error ? err : undefined;
  if (!inner) return String(err);
  const code = (inner as { code?: unknown }).code;
  return typeof code === 'string' && !inner.message.includes(code) ? `${inner.message} (${code})` : inner.message;
}
