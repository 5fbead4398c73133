import type { EmitChange } from '../../core/bus.js';
import type { IntentExpectation } from '../../core/emit-context.js';
import { contentHash } from '../../lib/content-hash.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';

export interface FileChange extends EmitChange {
  /** Whether `apply` wrote the file: after a failed emit, whether there is anything to undo. */
  readonly written: boolean;
}

/**
 * Writing `text` to `path` as the change an event stands for: the bus persists the event as
 * prepared, calls `apply`, then commits it. After a crash the file's content tells which it was.
 */
export function fileChange(
  path: string, text: string,
  options: { write?: (path: string, text: string) => void; lock?: string; expect?: IntentExpectation } = {},
): FileChange {
  const write = options.write ?? writeFileAtomic;
  let written = false;
  return {
    intent: {
      path, hash: contentHash(text), ...(options.expect ? { expect: options.expect } : {}), ...(options.lock ? { lock: options.lock } : {}),
    },
    apply() {
      write(path, text);
      written = true;
    },
    get written() {
      return written;
    },
  };
}
