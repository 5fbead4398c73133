import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

// process.stdout and process.stderr are built on first touch, and building one loads Node's
// stream stack (and node:tty with net for a terminal): about 5 ms, a noticeable share of a
// short command. Writing to the descriptor and asking fstat first skip that where they can.

const fallenBack = new Set<number>();
const stream = (fd: 1 | 2) => (fd === 1 ? process.stdout : process.stderr);

/** Writes `text` to stdout (1) or stderr (2), synchronously, so nothing is lost at exit. */
export function writeFd(fd: 1 | 2, text: string): void {
  // Windows consoles need the stream's encoding handling; once a stream took over, keep the order.
  if (process.platform === 'win32' || fallenBack.has(fd)) {
    stream(fd).write(text);
    return;
  }
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return; // the reader has gone (`spec-kitty status | head -1`)
      if (code !== 'EAGAIN') throw error;
      // A non-blocking pipe that is full: the stream waits for room without spinning.
      fallenBack.add(fd);
      stream(fd).write(rest);
      return;
    }
  }
}

/** Whether `fd` is a terminal. Pipes and files are told by one fstat: only a character device can be a terminal. */
export function isTerminal(fd: 1 | 2): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}
