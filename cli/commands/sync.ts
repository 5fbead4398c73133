import { Option, type Command } from 'commander';
import { QUEUE_STATES, type QueueState } from '../../core/services.js';
import { nonEmpty, wholeNumber } from './arguments.js';

export const DEFAULT_LIST_LIMIT = 50;

const parseLimit = wholeNumber('--limit must be a whole number ≥ 0 (0 lists every event).');

/** `spec-kitty sync …`: the per-user offline queue. Works anywhere, inside a project or not. */
export function defineSyncCommand(program: Command): void {
  const sync = program.command('sync').description('the offline event queue and its sync to the hub');

  sync
    .command('status')
    .description('counts per state and per project, oldest pending event, queue file, login')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty sync status
  $ spec-kitty sync status --json | jq .counts

States: pending (waiting to be sent), held (no project identity: never sent until adopted;
see \`spec-kitty sync held\`), sent, dead (rejected by the hub, with the reason).`)
    .action(async (opts: { json?: boolean }) => (await import('./sync/status.js')).syncStatus(opts));

  sync
    .command('now')
    .description('send every pending event to the hub now, and say what was sent, rejected and left')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty sync now
  $ spec-kitty sync now --json | jq .left

Exits 0 when everything was sent; 1 when an event was rejected (dead) or is left (logged out,
or the hub failed for 30 s). A progress bar shows on a terminal.`)
    .action(async (opts: { json?: boolean }) => (await import('./sync/now.js')).syncNow(opts));

  sync
    .command('retry-dead')
    .description('put events the hub rejected (dead) back to pending, to be sent again')
    .option('--event <id>', 'only this event', nonEmpty('--event'))
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty sync retry-dead
  $ spec-kitty sync retry-dead --event 01JD5X3Q8V0A6N1ZK3V8Q9W7RM && spec-kitty sync now`)
    .action(async (opts: { event?: string; json?: boolean }) => (await import('./sync/retry-dead.js')).syncRetryDead(opts));

  // Started detached by emitting commands (one per machine): not for people, so not in --help.
  sync
    .command('drain', { hidden: true })
    .description('send pending events in the background until none is left (started by commands)')
    .action(async () => {
      process.exitCode = await (await import('../sync/drainer.js')).runDrainer();
    });

  sync
    .command('queue')
    .description('list queued events with their envelopes, oldest first')
    .option('--json', 'print JSON')
    .addOption(new Option('--state <state>', 'only events in this state').choices(QUEUE_STATES as QueueState[]))
    .option('--project <project>', 'only events of this project (project uuid or slug)', nonEmpty('--project'))
    .option('--limit <n>', `at most this many events (0 = all)`, parseLimit, DEFAULT_LIST_LIMIT)
    .addHelpText('after', `
Examples:
  $ spec-kitty sync queue
  $ spec-kitty sync queue --state pending --limit 10
  $ spec-kitty sync queue --project my-project --json | jq '.events[].envelope.event_type'
  $ spec-kitty sync queue --state dead --limit 0`)
    .action(async (opts: { json?: boolean; state?: QueueState; project?: string; limit: number }) =>
      (await import('./sync/queue.js')).syncQueue(opts));

  sync
    .command('held')
    .description('events held without a project identity (never sent), by the folder they came from, and how to release them')
    .option('--json', 'print JSON')
    .addOption(new Option('--adopt <folder>', 'give the events held from <folder> ("none": from no recorded folder) the identity of the project here, and send them')
      .argParser(nonEmpty('--adopt')).conflicts('discard'))
    .option('--discard <folder>', 'delete the events held from <folder> ("none": from no recorded folder; "all": every held event)', nonEmpty('--discard'))
    .addHelpText('after', `
Examples:
  $ spec-kitty sync held
  $ spec-kitty init ../old-checkout          adopts what was held there (that folder gets an identity)
  $ spec-kitty sync held --adopt none        in the project the unattributed events belong to
  $ spec-kitty sync held --discard /tmp/scratch

An event is held when it was emitted where no project identity could be read. Held events
wait on this machine and are never sent until a project adopts them.`)
    .action(async (opts: { json?: boolean; adopt?: string; discard?: string }) => (await import('./sync/held.js')).syncHeld(opts));
}
