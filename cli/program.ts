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
  0 success   1 the command failed   2 bad arguments   3 an event could not be queued`;

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
