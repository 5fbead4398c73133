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
for (const fd of [1, 2] as const) {
  const property = Object.getOwnPropertyDescriptor(process, NAMES[fd]);
  if (property?.get && property.configurable) {
    Object.defineProperty(process, NAMES[fd], {
      ...property,
      get() {
        const stream = property.get!.call(process) as NodeJS.WriteStream;
        if (!built.has(fd)) {
          built.add(fd);
          // A reader that has gone (`spec-kitty status | head -1`) is not an error of ours.
          stream.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error; });
        }
        return stream;
      },
    });
  }
}

/**
 * Writes `text` to stdout (1) or stderr (2). Straight to the descriptor, synchronously, until
 * a stream exists; then through the stream, which Node flushes before a natural exit.
 */
export function writeFd(fd: Fd, text: string): void {
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
      if (code === 'EPIPE') return; // the reader has gone
      if (code !== 'EAGAIN') throw error;
      // A non-blocking pipe that is full: the stream waits for room without spinning.
      process[NAMES[fd]].write(rest);
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
