import { Option, type Command } from 'commander';
import { WP_LANES } from '../../contract/index.js';
import { nonEmpty, parseWpId } from './arguments.js';

export interface LaneCommandOptions {
  feature?: string;
  note?: string;
  force?: boolean;
  json?: boolean;
}

const featureOption = () => new Option('--feature <feature>', 'the feature (folder name, number or name); inferred when only one fits')
  .argParser(nonEmpty('--feature'));
const WP_ARGUMENT = ['<wp>', 'work package id, e.g. WP01', parseWpId] as const;

/** The everyday lane commands: implement, review, accept, move. Each emits one WPStatusChanged per WP it moves. */
export function defineLaneCommands(program: Command): void {
  program
    .command('implement')
    .description('start a work package: planned → doing (its dependencies must be done)')
    .argument(...WP_ARGUMENT)
    .addOption(featureOption())
    .option('--force', 'start it even if its dependencies are not done')
    .option('--note <text>', 'note for the activity log', 'Started implementation')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty implement WP01
  $ spec-kitty implement WP03 --feature 002-payments
  $ spec-kitty implement WP02 --force --note "WP01 is close enough"

Running it again on a WP already in doing changes nothing and emits nothing.`)
    .action(async (wp: string, opts: LaneCommandOptions) => (await import('./lanes/implement.js')).implement(wp, opts));

  program
    .command('review')
    .description('hand a work package in for review: doing → for_review')
    .argument(...WP_ARGUMENT)
    .addOption(featureOption())
    .option('--note <text>', 'note for the activity log', 'Ready for review')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty review WP01
  $ spec-kitty review WP01 --note "tests added for the empty cart"`)
    .action(async (wp: string, opts: LaneCommandOptions) => (await import('./lanes/review.js')).review(wp, opts));

  program
    .command('accept')
    .description('accept every work package in for_review (→ done); completes the feature when all are done')
    .addOption(featureOption())
    .option('--note <text>', 'note for the activity log', 'Accepted')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty accept
  $ spec-kitty accept --feature 001-checkout --json

Emits one WPStatusChanged per accepted WP, then FeatureCompleted once, when every WP
of the feature is done.`)
    .action(async (opts: LaneCommandOptions) => (await import('./lanes/accept.js')).accept(opts));

  program
    .command('move')
    .description('move a work package to another lane (back from review, reopen, …)')
    .argument(...WP_ARGUMENT)
    .addOption(new Option('--to <lane>', 'the lane to move to').choices(WP_LANES).makeOptionMandatory())
    .addOption(featureOption())
    .option('--force', 'allow skipping lanes, reopening a done WP, or starting before dependencies are done')
    .option('--note <text>', 'note for the activity log')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty move WP01 --to doing --note "changes requested"
  $ spec-kitty move WP01 --to planned
  $ spec-kitty move WP04 --to done --force --note "done upstream"

Rules: forward one lane at a time (planned → doing → for_review → done); back to any
earlier lane; done is final. --force allows any move.`)
    .action(async (wp: string, opts: LaneCommandOptions & { to: (typeof WP_LANES)[number] }) =>
      (await import('./lanes/move.js')).move(wp, opts));
}
