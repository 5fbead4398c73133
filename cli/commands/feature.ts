import type { Command } from 'commander';
import { nameWithLetters } from './arguments.js';

export function defineFeatureCommand(program: Command): void {
  const feature = program.command('feature').description('features: the folders under kitty-specs/ that hold work packages');
  feature
    .command('create')
    .description('create the next numbered feature folder (kitty-specs/NNN-slug/) and emit FeatureCreated')
    .argument('<name>', 'the feature name, e.g. "Checkout flow"', nameWithLetters('feature name', 'spec-kitty feature create "Checkout flow"'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty feature create "Checkout flow"      creates kitty-specs/001-checkout-flow/
  $ spec-kitty feature create "Payments" --json

Creates meta.json and tasks/; add work packages with: spec-kitty wp add <feature> "<title>"`)
    .action(async (name: string, opts: { json?: boolean }) => (await import('./feature/create.js')).createFeatureCommand(name, opts));
}
