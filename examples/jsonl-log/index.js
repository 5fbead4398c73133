// A third-party plugin, written the way any package would write one: it imports only the
// published API, and default-exports a plugin. It mirrors every event into a JSON Lines file
// during the persist phase, so its place in the pipeline matters: after queue-persist it
// records only events the queue accepted.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { definePlugin } from 'spec-kitty/plugin';

export default definePlugin({
  name: 'jsonl-log',
  description: 'Appends every event to a JSON Lines file.',
  /** @param {Record<string, unknown>} raw */
  validateOptions(raw) {
    const unknown = Object.keys(raw).filter((k) => k !== 'file');
    if (unknown.length) throw new Error(`unknown option ${JSON.stringify(unknown[0])} (known: file)`);
    if (raw.file !== undefined && (typeof raw.file !== 'string' || raw.file === '')) {
      throw new Error('option "file" must be a non-empty path');
    }
    return { file: /** @type {string} */ (raw.file ?? '.kittify/events.jsonl') };
  },
  apply(hooks, { options, projectRoot }) {
    // Relative paths are the project's, wherever in it the command runs.
    const file = resolve(projectRoot ?? process.cwd(), options.file);
    hooks.persist.tap('jsonl-log', (envelope) => {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, JSON.stringify(envelope) + '\n');
    });
  },
});
