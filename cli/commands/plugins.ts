import type { Command } from 'commander';

export function definePluginsCommand(program: Command): void {
  const plugins = program.command('plugins').description('inspect the event pipeline');
  plugins
    .command('list')
    .description('show the effective pipeline: order, phase, source, enabled, options')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty plugins list
  $ spec-kitty plugins list --json | jq '.plugins[] | select(.status != "active")'

The pipeline is plugins.json from the package, adjusted by .kittify/plugins.json.`)
    .action(async (opts: { json?: boolean }) => (await import('./plugins/list.js')).listPlugins(opts));
}
