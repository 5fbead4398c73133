import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Hub from '../../../hub/index.js';

/**
 * The hub, loaded only by `hub` commands: in the shipped CLI it is its own bundle (dist/hub.cjs)
 * beside the CLI's, so fastify and the rest never weigh on an everyday command; from source, the
 * module itself. The specifier is a variable so the CLI bundle does not take the hub in.
 */
export async function loadHub(): Promise<typeof Hub> {
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'hub.cjs');
  if (existsSync(bundled)) return createRequire(import.meta.url)(bundled) as typeof Hub;
  const source = '../../../hub/index.js';
  return import(source) as Promise<typeof Hub>;
}
