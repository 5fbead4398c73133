// The page's one WebSocket: a single-use ws token from the session, then the hub's socket
// (/ws/v1/events/?token=…). The first frame is the snapshot; every later event of the team is
// pushed. A lost connection is said at once ("reconnecting"), retried with full-jitter backoff,
// and each new socket starts from a new snapshot, so nothing missed meanwhile stays missed.

export const CSRF_HEADERS = { 'x-spec-kitty-dashboard': '1' };

const MIN_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;
// The hub answers {"type":"ping"} with a pong: a socket silent past this is treated as lost.
const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;

/**
 * @param {{ onSnapshot(msg: any, receivedAt: number): void, onEvent(envelope: any): void,
 *   onState(state: 'connecting' | 'live' | 'reconnecting'): void, onSignedOut(): void }} handlers
 * @returns {{ stop(): void }}
 */
export function connectLive(handlers) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let retry = null;
  let pinger = null;
  let pongDue = null;

  const schedule = () => {
    if (stopped) return;
    handlers.onState('reconnecting');
    // Full jitter: many pages of one team coming back after a hub restart do not arrive at once.
    const cap = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
    attempt += 1;
    retry = setTimeout(open, attempt === 1 ? MIN_DELAY_MS : Math.random() * cap);
  };

  const clearTimers = () => {
    clearInterval(pinger);
    clearTimeout(pongDue);
    pinger = pongDue = null;
  };

  async function open() {
    retry = null;
    if (stopped) return;
    let token;
    try {
      const response = await fetch('/dashboard/api/ws-token', { method: 'POST', headers: CSRF_HEADERS, credentials: 'same-origin' });
      if (response.status === 401) { stopped = true; handlers.onSignedOut(); return; }
      if (!response.ok) throw new Error(`ws-token: ${response.status}`);
      token = (await response.json()).ws_token;
    } catch {
      schedule();
      return;
    }
    if (stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws/v1/events/?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onmessage = (message) => {
      const receivedAt = performance.now();
      clearTimeout(pongDue);
      pongDue = null;
      let data;
      try { data = JSON.parse(message.data); } catch { return; }
      if (data.type === 'snapshot') {
        attempt = 0;
        handlers.onState('live');
        handlers.onSnapshot(data, receivedAt);
      } else if (data.type === 'event') {
        handlers.onEvent(data);
      }
    };
    ws.onopen = () => {
      pinger = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify({ type: 'ping', timestamp: new Date().toISOString() }));
        pongDue ??= setTimeout(() => ws.close(4000, 'no answer'), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    };
    ws.onclose = () => {
      clearTimers();
      if (socket === ws) socket = null;
      schedule();
    };
  }

  handlers.onState('connecting');
  void open();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      clearTimers();
      socket?.close(1000, 'signed out');
      socket = null;
    },
  };
}
