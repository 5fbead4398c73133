import { hashPassword } from './auth/passwords.js';
import { HubStorageError, type HubStorage, type Team, type User } from './storage/storage.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

/** Adds a user to a team (made if new); the password is stored only as its scrypt hash. */
export async function addUser(storage: HubStorage, name: string, teamSlug: string, password: string, now = Date.now()): Promise<User> {
  if (!NAME.test(name)) throw new AccountError(`"${name}" is not a user name: letters, digits and . _ @ -, starting with a letter or digit, at most 64`);
  if (!SLUG.test(teamSlug)) throw new AccountError(`"${teamSlug}" is not a team slug: lowercase letters and digits in words joined by "-", e.g. acme or web-team`);
  if (teamSlug === 'local') throw new AccountError('"local" is the team of events queued while logged out; pick another team slug');
  if (password.length < 8) throw new AccountError('the password is shorter than 8 characters');
  if (await storage.findUser(name)) throw new AccountError(`a user named "${name}" exists already; remove it first (spec-kitty hub user remove ${name})`);
  const team: Team = await storage.ensureTeam(teamSlug);
  try {
    return await storage.addUser(name, team.id, await hashPassword(password), now);
  } catch (error) {
    if (error instanceof HubStorageError && error.code === 'exists') throw new AccountError(`a user named "${name}" exists already`);
    throw error;
  }
}
