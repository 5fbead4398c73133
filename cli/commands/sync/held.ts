import { resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import type { HeldFrom, QueuedEvent } from '../../../core/services.js';
import { TOKENS } from '../../../core/tokens.js';
import { bold, dim, print, printJson, table } from '../../output.js';
import { cliServices } from '../../runtime.js';

interface HeldGroup {
  /** The folder the events were emitted in; null when none was recorded (queued by an older spec-kitty). */
  origin: string | null;
  count: number;
  oldest_at: string;
  /** The commands that release (adopt) or discard them. */
  adopt_with: string;
  discard_with: string;
}

const quote = (s: string) => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

function groups(events: QueuedEvent[]): HeldGroup[] {
  const byOrigin = new Map<string | null, QueuedEvent[]>();
  for (const e of events) byOrigin.set(e.origin, [...(byOrigin.get(e.origin) ?? []), e]);
  return [...byOrigin].map(([origin, list]) => ({
    origin,
    count: list.length,
    oldest_at: list[0].created_at,
    adopt_with: origin === null ? 'spec-kitty sync held --adopt none   (run it in the project they belong to)' : `spec-kitty init ${quote(origin)}`,
    discard_with: `spec-kitty sync held --discard ${origin === null ? 'none' : quote(origin)}`,
  }));
}

const fromFolder = (value: string): HeldFrom => ({ origin: value === 'none' ? null : resolve(value) });

/** `spec-kitty sync held`: what is held, and the commands that release or discard it. */
export async function syncHeld(opts: { json?: boolean; adopt?: string; discard?: string }): Promise<void> {
  const services = await cliServices();
  const queue = services.get(TOKENS.PersistQueue);
  if (opts.discard !== undefined) {
    const discarded = await queue.discardHeld(opts.discard === 'all' ? 'all' : fromFolder(opts.discard));
    if (opts.json) printJson({ discarded });
    else print(`Discarded ${discarded} held event(s).`);
    return;
  }
  if (opts.adopt !== undefined) {
    const identity = await services.get(TOKENS.Identity).resolve();
    if (!identity) throw new UserError('--adopt gives held events the identity of the project here, and this folder is in no project; run it inside the project (or `spec-kitty init` first).');
    const adopted = await queue.adoptHeld(fromFolder(opts.adopt), identity);
    if (opts.json) printJson({ adopted, project_uuid: identity.project_uuid, project_slug: identity.project_slug });
    else print(`${adopted} held event(s) now carry the identity of ${bold(identity.project_slug)} (${identity.project_uuid}) and will be sent.`);
    return;
  }
  const { events } = await services.get(TOKENS.ReadQueue).list({ state: 'held', limit: 0 });
  const held = groups(events);
  if (opts.json) {
    printJson({ total: events.length, held });
    return;
  }
  if (held.length === 0) {
    print('No held events: every queued event has a project identity.');
    return;
  }
  print(table(held.map((g) => [g.origin ?? '(no folder recorded)', String(g.count), g.oldest_at]), ['from', 'held', 'oldest']));
  print();
  for (const g of held) {
    print(`${g.origin ?? '(no folder recorded)'}:`);
    print(dim(`  release: ${g.adopt_with}`));
    print(dim(`  discard: ${g.discard_with}`));
  }
}
