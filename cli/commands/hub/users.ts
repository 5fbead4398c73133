import { UserError } from '../../../core/errors.js';
import { bold, print, printJson, table } from '../../output.js';
import { promptSecret, readStdin } from '../../secret-input.js';
import { openStorage } from './open-storage.js';

export async function addUserCommand(name: string, opts: { team: string; passwordStdin?: boolean; db?: string }): Promise<void> {
  const password = opts.passwordStdin ? await readStdin() : await promptSecret(`Password for ${name}: `);
  const { storage, hub } = await openStorage(opts.db);
  try {
    const user = await hub.addUser(storage, name, opts.team, password);
    print(`Added ${bold(user.name)} to team ${bold(user.team.slug)}.`);
  } catch (error) {
    if (error instanceof hub.AccountError) throw new UserError(error.message);
    throw error;
  } finally {
    await storage.close();
  }
}

export async function listUsersCommand(opts: { json?: boolean; db?: string }): Promise<void> {
  const { storage } = await openStorage(opts.db);
  try {
    const users = (await storage.listUsers()).map((u) => ({ name: u.name, team: u.team.slug, created_at: new Date(u.createdAt).toISOString() }));
    if (opts.json) return printJson({ users });
    if (users.length === 0) return print('No users yet: spec-kitty hub user add NAME --team SLUG');
    print(table(users.map((u) => [u.name, u.team, u.created_at]), ['user', 'team', 'added']));
  } finally {
    await storage.close();
  }
}

export async function removeUserCommand(name: string, opts: { db?: string }): Promise<void> {
  const { storage } = await openStorage(opts.db);
  try {
    if (!(await storage.removeUser(name))) throw new UserError(`there is no user named "${name}" (see spec-kitty hub user list)`);
    print(`Removed ${bold(name)}; their tokens no longer work.`);
  } finally {
    await storage.close();
  }
}

export async function listTeamsCommand(opts: { json?: boolean; db?: string }): Promise<void> {
  const { storage } = await openStorage(opts.db);
  try {
    const teams = (await storage.listTeams()).map((t) => ({ slug: t.slug, users: t.users }));
    if (opts.json) return printJson({ teams });
    if (teams.length === 0) return print('No teams yet: a team is made by its first user (spec-kitty hub user add NAME --team SLUG)');
    print(table(teams.map((t) => [t.slug, String(t.users)]), ['team', 'users']));
  } finally {
    await storage.close();
  }
}
