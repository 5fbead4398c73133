import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

// process.stdout and process.stderr are built on first touch, and building one loads Node's
// stream stack (and node:tty with net for a terminal): about 5 ms, a noticeable share of a
// short command. Writing to the descriptor and asking fstat first skip that where they can.

type Fd = 1 | 2;
const NAMES = { 1: 'stdout', 2: 'stderr' } as const;

// Once anything (a plugin's console.log, say) has built a stream, all output to that
// descriptor goes through it: a direct write could overtake what the stream still holds.
const built = new Set<Fd>();
// A descriptor whose reader has gone (EPIPE) or that failed (ENOSPC, EIO): later output to it is dropped.
const gone = new Set<Fd>();
let failure: OutputError | undefined;

/** Output that could not be written: a full disk (ENOSPC), an I/O error. Its message is one line. */
export class OutputError extends Error {
  readonly code: string;
  constructor(readonly fd: Fd, cause: NodeJS.ErrnoException) {
    const code = cause.code ?? 'EIO';
    super(`cannot write to ${NAMES[fd]}: ${REASONS[code] ?? cause.message.replace(/^[A-Z]+: /, '').replace(/, write$/, '')} (${code})`, { cause });
    this.name = 'OutputError';
    this.code = code;
  }
}
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EBADF: 'it is closed',
};

/** The first output failure of this process (undefined if none): a command that hit one must not exit 0. */
export function outputFailure(): OutputError | undefined {
  return failure;
}

/** Records a write error; EPIPE quietly. Returns the failure to report, or undefined when there is nothing to say. */
function fail(fd: Fd, error: NodeJS.ErrnoException): OutputError | undefined {
  gone.add(fd);
  if (error.code === 'EPIPE') return undefined; // the reader has gone: not an error of ours
  const failed = new OutputError(fd, error);
  failure ??= failed;
  return failed;
}

for (const fd of [1, 2] as const) {
  const property = Object.getOwnPropertyDescriptor(process, NAMES[fd]);
  if (property?.get && property.configurable) {
    Object.defineProperty(process, NAMES[fd], {
      ...property,
      get() {
        const stream = property.get!.call(process) as NodeJS.WriteStream;
        if (!built.has(fd)) {
          built.add(fd);
          // A reader that has gone (`spec-kitty status | head -1`) is not an error of ours; a
          // full disk is said in one line, and the command exits 1, never with a stack trace.
          stream.on('error', (error: NodeJS.ErrnoException) => {
            const reported = failure !== undefined;
            const failed = fail(fd, error);
            if (!failed || reported) return;
            process.exitCode = 1;
            if (fd === 1 && !gone.has(2)) writeDirect(2, `error: ${failed.message}\n`);
          });
        }
        return stream;
      },
    });
  }
}

/** A synchronous write that never throws: for the last word about a failed stream. */
function writeDirect(fd: Fd, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    gone.add(fd);
  }
}

/**
 * Writes `text` to stdout (1) or stderr (2). Straight to the descriptor, synchronously, until
 * a stream exists; then through the stream, which Node flushes before a natural exit.
 * A reader that has gone (EPIPE) ends the output quietly. Any other failure on stdout throws an
 * OutputError (one line, no stack); on stderr it is dropped, as there is nowhere left to say it.
 */
export function writeFd(fd: Fd, text: string): void {
  if (gone.has(fd)) return;
  // Windows consoles need the stream's encoding handling.
  if (process.platform === 'win32' || built.has(fd)) {
    process[NAMES[fd]].write(text);
    return;
  }
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe that is full: the stream waits for room without spinning.
        process[NAMES[fd]].write(rest);
        return;
      }
      const failed = fail(fd, error as NodeJS.ErrnoException);
      if (failed && fd === 1) throw failed;
      return;
    }
  }
}

/** Whether `fd` is a terminal. Pipes and files are told by one fstat: only a character device can be a terminal. */
export function isTerminal(fd: Fd): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return isatty(fd);
}
