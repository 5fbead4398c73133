import type { Command } from 'commander';
import { nonEmpty } from './arguments.js';

/** `spec-kitty auth …`: the login to a team hub, stored under $SPEC_KITTY_HOME. */
export function defineAuthCommand(program: Command): void {
  const auth = program.command('auth').description('log in to a team hub: your events are then attributed to your team');

  auth
    .command('login')
    .description('log in to a hub and store the tokens (owner-only file); asks for the password without echo')
    .option('--server <url>', 'the hub\'s URL (default: $SPEC_KITTY_SERVER, else the last one used); https unless loopback', nonEmpty('--server'))
    .option('--username <name>', 'the user name (asked on a terminal if not given)', nonEmpty('--username'))
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .addHelpText('after', `
Examples:
  $ spec-kitty auth login --server https://hub.example.com --username ada
  $ printf '%s' "$PASSWORD" | spec-kitty auth login --server https://hub.example.com --username ci-bot --password-stdin

Plain http is refused except to this machine (127.0.0.0/8, ::1, localhost).`)
    .action(async (opts: { server?: string; username?: string; passwordStdin?: boolean }) => (await import('./auth/login.js')).login(opts));

  auth
    .command('status')
    .description('who is logged in, to which team and hub, and when the tokens expire (never the tokens)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => (await import('./auth/status.js')).authStatus(opts));

  auth
    .command('logout')
    .description('revoke the login at the hub when it can be reached, and always forget it here')
    .action(async () => (await import('./auth/logout.js')).logout());
}
