// Node's fetch is undici's, but undici's Agent (the only way to set a connect timeout) is not
// exported by Node. The global dispatcher, registered under undici's cross-copy symbol once fetch
// has loaded, is such an Agent: its constructor makes one with our connect timeout. Without it
// (another global dispatcher, another runtime), the connect phase is bounded by the total timeout.

/** What we use of an undici dispatcher: it goes in fetch's `dispatcher` option, and closes. */
export interface Dispatcher {
  close(): Promise<void>;
}

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type AgentClass = new (options: { connect: { timeout: number }; keepAliveTimeout?: number }) => Dispatcher;

let agentClass: Promise<AgentClass | undefined> | undefined;

function findAgentClass(): Promise<AgentClass | undefined> {
  // A data: URL touches no network; it only makes Node load undici, which registers its dispatcher.
  agentClass ??= fetch('data:,').then(
    () => undefined, () => undefined,
  ).then(() => {
    const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
    const ctor = (dispatcher as { constructor?: unknown } | undefined)?.constructor;
    return typeof ctor === 'function' && ctor.name === 'Agent' ? (ctor as AgentClass) : undefined;
  });
  return agentClass;
}

/** An undici Agent whose connections must be made within `connectTimeoutMs`, or undefined when none can be made. */
export async function connectTimeoutAgent(connectTimeoutMs: number): Promise<Dispatcher | undefined> {
  const Agent = await findAgentClass();
  if (!Agent) return undefined;
  try {
    return new Agent({ connect: { timeout: connectTimeoutMs }, keepAliveTimeout: 4000 });
  } catch {
    return undefined;
  }
}
