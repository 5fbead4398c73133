import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { writeFd } from './launcher/stdio.js';
import { configureRuntime } from './runtime.js';
import { VERSION } from './version.js';

const FOOTER = `
Examples:
  $ spec-kitty init                       give this repository its project identity
  $ spec-kitty feature create "Checkout"  start a feature
  $ spec-kitty implement WP01             move WP01 from planned to doing
  $ spec-kitty status --json              the board, as JSON
  $ spec-kitty plugins list               the effective event pipeline

Environment:
  SPEC_KITTY_HOME   per-user state: queue, clock, login (default ~/.spec-kitty)
  NO_COLOR          disable colour

Exit codes:
  0  success (also when a reader such as \`| head\` stops reading early)
  1  the command failed: something not found, a move refused by the lane rules, a broken
     file, output that could not be written (a full disk)
  2  bad input: an unknown command or option, a missing argument, a malformed value
     (a WP id like "banana", --limit x, --to with no such lane)
  3  an event could not be queued: the change that needed it was not made

With --json, a failing command also prints {"error":{"code":"…","message":"…"}} on stdout.
Codes: usage (2), failed (1), queue_unavailable (1), not_queued (3), invalid_plugin_config,
contract_violation, internal (a bug: please report it).`;

export function createProgram(): Command {
  const program = new Command('spec-kitty')
    .description('Spec-driven development: every work-package move becomes an event, queued durably and synced to your team hub.')
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'show debug output, including events a guard dropped')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', FOOTER)
    .exitOverride()
    .configureOutput({ writeOut: (s) => writeFd(1, s), writeErr: (s) => writeFd(2, s) })
    .hook('preAction', (cmd) => configureRuntime(cmd.optsWithGlobals()));
  for (const define of COMMANDS) define(program);
  return program;
}
