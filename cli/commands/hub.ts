import { InvalidArgumentError, type Command } from 'commander';
import { nonEmpty } from './arguments.js';

const between = (what: string, max: number) => (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max}.`);
  return Number(value);
};

const port = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0: any free port).');
  return Number(value);
};

/** `spec-kitty hub …`: the team hub server and its accounts, run on the hub's machine. */
export function defineHubCommand(program: Command): void {
  const hub = program.command('hub').description('the team hub: a server where every project\'s events land');

  hub
    .command('serve')
    .description('run the hub until Ctrl-C (SIGINT) or SIGTERM')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 8787)
    .option('--access-minutes <n>', 'how long an access token lives (at most a day)', between('--access-minutes', 1440), 15)
    .option('--refresh-days <n>', 'how long a refresh token lives, each refresh starting it anew (at most a year)', between('--refresh-days', 365), 7)
    .option('--db <file|url>', 'the hub database: a SQLite file (default $SPEC_KITTY_HOME/hub.db) or a postgres:// URL', nonEmpty('--db'))
    .option('--public-url <url>', 'the address browsers use (behind a TLS proxy: https://hub.example.com): the dashboard\'s cookie is Secure iff https, and its CSRF check expects this origin', nonEmpty('--public-url'))
    .addHelpText('after', `
Examples:
  $ spec-kitty hub serve
  $ spec-kitty hub serve --public-url https://hub.example.com   (behind a TLS proxy on this machine)
  $ spec-kitty hub serve --host 0.0.0.0 --port 9000 --db /srv/spec-kitty/hub.db
  $ spec-kitty hub serve --db postgres://hub@db.internal/spec_kitty   (several hub processes may share it)

Prints the URL it listens on, then one line per request (never a token or password).
Add users first: spec-kitty hub user add NAME --team SLUG`)
    .action(async (opts: { host: string; port: number; db?: string; accessMinutes: number; refreshDays: number; publicUrl?: string }) =>
      (await import('./hub/serve.js')).serve(opts));

  const user = hub.command('user').description('hub accounts: each user belongs to one team');
  user
    .command('add')
    .description('add a user to a team (the team is made if new); asks for the password without echo')
    .argument('<name>', 'the user name to log in with')
    .requiredOption('--team <slug>', 'the team the user belongs to, e.g. acme', nonEmpty('--team'))
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .option('--db <file|url>', 'the hub database: a SQLite file (default $SPEC_KITTY_HOME/hub.db) or a postgres:// URL', nonEmpty('--db'))
    .addHelpText('after', `
Examples:
  $ spec-kitty hub user add ada --team acme
  $ printf '%s' "$PASSWORD" | spec-kitty hub user add ci-bot --team acme --password-stdin`)
    .action(async (name: string, opts: { team: string; passwordStdin?: boolean; db?: string }) => (await import('./hub/users.js')).addUserCommand(name, opts));
  user
    .command('list')
    .description('the hub\'s users and their teams')
    .option('--json', 'print JSON')
    .option('--db <file|url>', 'the hub database: a SQLite file (default $SPEC_KITTY_HOME/hub.db) or a postgres:// URL', nonEmpty('--db'))
    .action(async (opts: { json?: boolean; db?: string }) => (await import('./hub/users.js')).listUsersCommand(opts));
  user
    .command('remove')
    .description('remove a user; their tokens stop working at once')
    .argument('<name>', 'the user name')
    .option('--db <file|url>', 'the hub database: a SQLite file (default $SPEC_KITTY_HOME/hub.db) or a postgres:// URL', nonEmpty('--db'))
    .action(async (name: string, opts: { db?: string }) => (await import('./hub/users.js')).removeUserCommand(name, opts));

  hub
    .command('team')
    .description('hub teams')
    .command('list')
    .description('the hub\'s teams and how many users each has')
    .option('--json', 'print JSON')
    .option('--db <file|url>', 'the hub database: a SQLite file (default $SPEC_KITTY_HOME/hub.db) or a postgres:// URL', nonEmpty('--db'))
    .action(async (opts: { json?: boolean; db?: string }) => (await import('./hub/users.js')).listTeamsCommand(opts));
}
