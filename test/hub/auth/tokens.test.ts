import anyTest, { type TestFn } from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, TokenService, hashToken, mintToken, type TokenServiceOptions } from '../../../hub/auth/tokens.js';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import type { HubStorage, User } from '../../../hub/storage/storage.js';

interface Context {
  dir: string;
  file: string;
  storage: HubStorage;
  clock: { t: number };
  alice: User;
  service: (options?: TokenServiceOptions) => TokenService;
}

const test = anyTest as TestFn<Context>;

test.beforeEach(async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-auth-'));
  const file = join(dir, 'hub.db');
  const storage = createSqliteStorage({ file });
  await storage.migrate();
  const team = await storage.ensureTeam('acme');
  const clock = { t: 1_700_000_000_000 };
  const alice = await storage.addUser('alice', team.id, 'scrypt$unused', clock.t);
  t.context = {
    dir,
    file,
    storage,
    clock,
    alice,
    service: (options = {}) => new TokenService(storage, { now: () => clock.t, ...options }),
  };
});

test.afterEach.always(async (t) => {
  await t.context.storage?.close();
  if (t.context.dir) rmSync(t.context.dir, { recursive: true, force: true });
});

async function failsWith(t: { is(a: unknown, b: unknown, m?: string): void; fail(m?: string): void }, promise: Promise<unknown>, code: string) {
  try {
    await promise;
    t.fail(`expected an AuthError ${code}`);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    t.is(error.code, code);
  }
}

test('mintToken gives 256 random bits, base64url; hashToken is SHA-256 hex', (t) => {
  const a = mintToken();
  t.regex(a, /^[A-Za-z0-9_-]{43}$/);
  t.is(Buffer.from(a, 'base64url').length, 32);
  t.not(a, mintToken());
  t.regex(hashToken(a), /^[0-9a-f]{64}$/);
  t.is(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('login gives a token pair with lifetimes in seconds, and the access token authenticates', async (t) => {
  const { service, alice } = t.context;
  const tokens = await service().login(alice);
  t.is(tokens.access_lifetime, 15 * 60);
  t.is(tokens.refresh_lifetime, 7 * 24 * 3600);
  t.is(tokens.team_slug, 'acme');
  t.not(tokens.access, tokens.refresh);
  const who = await service().authenticate(tokens.access);
  t.is(who.user.id, alice.id);
  t.is(who.user.name, 'alice');
  t.deepEqual(who.team, alice.team);
  // Tokens of one kind are not accepted as another.
  await failsWith(t, service().authenticate(tokens.refresh), 'invalid_token');
  await failsWith(t, service().authenticate(mintToken()), 'invalid_token');
  await failsWith(t, service().authenticate(''), 'invalid_token');
  await failsWith(t, service().refresh(tokens.access), 'invalid_token');
});

test('an access token expires after its lifetime', async (t) => {
  const { service, alice, clock } = t.context;
  const tokens = await service().login(alice);
  clock.t += 15 * 60_000 - 1;
  t.is((await service().authenticate(tokens.access)).user.id, alice.id);
  clock.t += 1;
  await failsWith(t, service().authenticate(tokens.access), 'expired');
  // The refresh token still works and gives a fresh access token.
  const next = await service().refresh(tokens.refresh);
  t.is((await service().authenticate(next.access)).user.id, alice.id);
});

test('a refresh token expires after its lifetime', async (t) => {
  const { service, alice, clock } = t.context;
  const tokens = await service({ refreshTtlMs: 3_600_000 }).login(alice);
  clock.t += 3_600_000;
  await failsWith(t, service().refresh(tokens.refresh), 'expired');
});

test('refresh rotates; the old refresh token is then reuse, which revokes the whole family', async (t) => {
  const { service, alice } = t.context;
  const first = await service().login(alice);
  const second = await service().refresh(first.refresh);
  t.not(second.access, first.access);
  t.not(second.refresh, first.refresh);
  t.is(second.team_slug, 'acme');
  t.is((await service().authenticate(second.access)).user.id, alice.id);

  await failsWith(t, service().refresh(first.refresh), 'token_reused');
  // The family is revoked: the new refresh token, and every access token of the login.
  await failsWith(t, service().refresh(second.refresh), 'revoked');
  await failsWith(t, service().authenticate(second.access), 'revoked');
  await failsWith(t, service().authenticate(first.access), 'revoked');

  // Another login of the same user is another family, untouched.
  const other = await service().login(alice);
  t.is((await service().authenticate(other.access)).user.id, alice.id);
  t.truthy(await service().refresh(other.refresh));
});

test('a chain of rotations keeps working while each refresh token is used once', async (t) => {
  const { service, alice } = t.context;
  let tokens = await service().login(alice);
  for (let i = 0; i < 5; i++) tokens = await service().refresh(tokens.refresh);
  t.is((await service().authenticate(tokens.access)).user.name, 'alice');
});

test('two concurrent refreshes with one token: exactly one succeeds, the other is reuse and revokes the family', async (t) => {
  const { service, alice } = t.context;
  for (let round = 0; round < 10; round++) {
    const tokens = await service().login(alice);
    // Two services, as two requests (or two hub processes) would have.
    const outcomes = await Promise.allSettled([service().refresh(tokens.refresh), service().refresh(tokens.refresh)]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    t.is(won.length, 1);
    t.is(lost.length, 1);
    t.true(lost[0]!.reason instanceof AuthError);
    t.is((lost[0]!.reason as AuthError).code, 'token_reused');
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<TokenService['refresh']>>>).value;
    // The winner's new tokens belong to the revoked family too.
    await failsWith(t, service().refresh(winner.refresh), 'revoked');
    await failsWith(t, service().authenticate(winner.access), 'revoked');
    await failsWith(t, service().authenticate(tokens.access), 'revoked');
  }
});

test('a reuse that revokes the family while the winner is still storing its new tokens covers them too', async (t) => {
  const { storage, alice, clock } = t.context;
  const tokens = await t.context.service().login(alice);
  // The winner's storage holds its new tokens back until the loser has revoked the family.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow: HubStorage = Object.create(storage, {
    putToken: { value: async (token: Parameters<HubStorage['putToken']>[0]) => { await gate; return storage.putToken(token); } },
  });
  const now = () => clock.t;
  const winning = new TokenService(slow, { now }).refresh(tokens.refresh);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await failsWith(t, new TokenService(storage, { now }).refresh(tokens.refresh), 'token_reused');
  release();
  const winner = await winning;
  await failsWith(t, t.context.service().authenticate(winner.access), 'revoked');
  await failsWith(t, t.context.service().refresh(winner.refresh), 'revoked');
});

test('a ws token works once, then fails; an unused one fails after 60 s', async (t) => {
  const { service, alice, clock } = t.context;
  const grant = await service().issueWsToken(alice);
  t.is(grant.expires_in, 60);
  const user = await service().consumeWsToken(grant.ws_token);
  t.is(user.id, alice.id);
  t.is(user.team.slug, 'acme');
  await failsWith(t, service().consumeWsToken(grant.ws_token), 'token_used');

  const late = await service().issueWsToken(alice);
  clock.t += 60_000;
  await failsWith(t, service().consumeWsToken(late.ws_token), 'expired');

  // Racing uses of one ws token: one wins.
  const raced = await service().issueWsToken(alice);
  const outcomes = await Promise.allSettled([service().consumeWsToken(raced.ws_token), service().consumeWsToken(raced.ws_token)]);
  t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 1);

  // A ws token is not an access token, nor the reverse.
  const tokens = await service().login(alice);
  const another = await service().issueWsToken(alice);
  await failsWith(t, service().authenticate(another.ws_token), 'invalid_token');
  await failsWith(t, service().consumeWsToken(tokens.access), 'invalid_token');
});

test('logout revokes the access token and the refresh token\'s family', async (t) => {
  const { service, alice } = t.context;
  const tokens = await service().login(alice);
  const kept = await service().login(alice);
  await service().logout(tokens.access, tokens.refresh);
  await failsWith(t, service().authenticate(tokens.access), 'revoked');
  await failsWith(t, service().refresh(tokens.refresh), 'revoked');
  // Logging out twice is refused: the token is gone.
  await failsWith(t, service().logout(tokens.access), 'revoked');
  // The user's other login is untouched.
  t.is((await service().authenticate(kept.access)).user.id, alice.id);
});

test('logout with the access token alone ends its login, refresh token included', async (t) => {
  const { service, alice } = t.context;
  const first = await service().login(alice);
  const rotated = await service().refresh(first.refresh);
  await service().logout(rotated.access);
  await failsWith(t, service().refresh(rotated.refresh), 'revoked');
});

test('logout never touches another user\'s refresh token', async (t) => {
  const { service, alice, storage, clock } = t.context;
  const bob = await storage.addUser('bob', alice.team.id, 'scrypt$unused', clock.t);
  const a = await service().login(alice);
  const b = await service().login(bob);
  await service().logout(a.access, b.refresh);
  t.is((await service().authenticate(b.access)).user.name, 'bob');
  t.truthy(await service().refresh(b.refresh));
});

test('a removed user\'s tokens fail', async (t) => {
  const { service, alice, storage } = t.context;
  const tokens = await service().login(alice);
  const grant = await service().issueWsToken(alice);
  t.true(await storage.removeUser('alice'));
  await t.throwsAsync(service().authenticate(tokens.access), { instanceOf: AuthError });
  await t.throwsAsync(service().refresh(tokens.refresh), { instanceOf: AuthError });
  await t.throwsAsync(service().consumeWsToken(grant.ws_token), { instanceOf: AuthError });
  // Even a user re-added under the same name is another user: the old tokens stay dead.
  await storage.addUser('alice', alice.team.id, 'scrypt$unused', t.context.clock.t);
  await t.throwsAsync(service().authenticate(tokens.access), { instanceOf: AuthError });
});

test('storage holds only hashes: no plain token is in the database or found by itself', async (t) => {
  const { service, alice, storage, file } = t.context;
  const tokens = await service().login(alice);
  const rotated = await service().refresh(tokens.refresh);
  const grant = await service().issueWsToken(alice);
  const plain = [tokens.access, tokens.refresh, rotated.access, rotated.refresh, grant.ws_token];
  for (const token of plain) {
    t.is(await storage.findToken(token), null);
    const stored = await storage.findToken(hashToken(token));
    t.truthy(stored);
    t.is(stored!.hash, hashToken(token));
    t.not(stored!.family, token);
  }
  // Nor anywhere in the files (the database and its write-ahead log), in any encoding.
  const bytes = [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
  t.true(bytes.length > 0);
  for (const token of plain) {
    for (const content of bytes) {
      t.false(content.includes(token), 'plain token in the database');
      t.false(content.includes(Buffer.from(token, 'base64url')), 'raw token bytes in the database');
    }
  }
});
