/** Everything human-facing goes to stderr so stdout stays clean for --json output. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Warns once per key for the logger's lifetime (one warning per command run). */
  warnOnce(key: string, message: string): void;
}

export interface LoggerOptions {
  verbose?: boolean;
  color?: boolean;
  /** Where a line goes (default: stderr). */
  write?: (line: string) => void;
  /** Whether stderr is a terminal, asked once, only when NO_COLOR and FORCE_COLOR leave it open. */
  isTerminal?: () => boolean;
}

const paint = (on: boolean, code: number, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** `terminal` is asked only when the environment leaves it open (asking may load node:tty). */
export function useColor(terminal: () => boolean = () => process.stderr.isTTY === true): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return terminal();
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => { process.stderr.write(line + '\n'); });
  // Decided on first use: a quiet run never needs to ask whether stderr is a terminal.
  let decided = options.color;
  const color = () => (decided ??= useColor(options.isTerminal));
  const verbose = options.verbose ?? false;
  const warned = new Set<string>();
  const logger: Logger = {
    info: (m) => write(m),
    warn: (m) => write(`${paint(color(), 33, 'warning:')} ${m}`),
    error: (m) => write(`${paint(color(), 31, 'error:')} ${m}`),
    debug: (m) => { if (verbose) write(paint(color(), 2, `debug: ${m}`)); },
    warnOnce: (key, m) => {
      if (warned.has(key)) return;
      warned.add(key);
      logger.warn(m);
    },
  };
  return logger;
}
