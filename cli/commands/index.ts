import type { Command } from 'commander';
import { defineAuthCommand } from './auth.js';
import { defineFeatureCommand } from './feature.js';
import { defineHubCommand } from './hub.js';
import { defineInitCommand } from './init.js';
import { defineLaneCommands } from './lanes.js';
import { definePluginsCommand } from './plugins.js';
import { defineStatusCommand } from './status.js';
import { defineSyncCommand } from './sync.js';
import { defineWpCommand } from './wp.js';

/** Each entry adds one command group; its code loads only when the command runs. */
export const COMMANDS: Array<(program: Command) => void> = [
  defineInitCommand,
  defineFeatureCommand,
  defineWpCommand,
  defineLaneCommands,
  defineStatusCommand,
  definePluginsCommand,
  defineSyncCommand,
  defineHubCommand,
  defineAuthCommand,
];
