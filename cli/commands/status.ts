import type { Command } from 'commander';
import { nonEmpty } from './arguments.js';

export function defineStatusCommand(program: Command): void {
  program
    .command('status')
    .description('the board: work packages by lane for each feature, and the offline queue in one line')
    .option('--feature <feature>', 'only this feature (folder name, number or name)', nonEmpty('--feature'))
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty status
  $ spec-kitty status --feature 001-checkout
  $ spec-kitty status --json | jq '.features[].lanes.doing'`)
    .action(async (opts: { feature?: string; json?: boolean }) => (await import('./status/board.js')).showStatus(opts));
}
