import type { Command } from 'commander';
import { definePluginsCommand } from './plugins.js';
import { defineSyncCommand } from './sync.js';

/** Each entry adds one command group; its code loads only when the command runs. */
export const COMMANDS: Array<(program: Command) => void> = [
  definePluginsCommand,
  defineSyncCommand,
];
