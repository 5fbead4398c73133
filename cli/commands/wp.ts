import type { Command } from 'commander';
import { nonEmpty, parseWpIds } from './arguments.js';

export function defineWpCommand(program: Command): void {
  const wp = program.command('wp').description('work packages: the WPxx files in a feature\'s tasks/ folder');
  wp
    .command('add')
    .description('add the next work package (lane planned) to a feature and emit WPCreated')
    .argument('<feature>', 'the feature: folder name (001-checkout), number (1) or name', nonEmpty('the feature'))
    .argument('<title>', 'what the work package delivers', nonEmpty('the title'))
    .option('--deps <ids>', 'comma-separated WPs that must be done before this one starts, e.g. WP01,WP02', parseWpIds)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty wp add 001-checkout "Cart model"
  $ spec-kitty wp add 1 "Payment form" --deps WP01
  $ spec-kitty wp add checkout "Receipts" --deps WP01,WP02 --json`)
    .action(async (feature: string, title: string, opts: { deps?: string; json?: boolean }) =>
      (await import('./wp/add.js')).addWp(feature, title, opts));
}
