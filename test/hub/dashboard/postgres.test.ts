import test from 'ava';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { addUser } from '../../../hub/index.js';
import { SessionService } from '../../../hub/auth/sessions.js';
import { TokenService } from '../../../hub/auth/tokens.js';
import { createPostgresStorage } from '../../../hub/storage/postgres/index.js';
import { PASSWORD } from '../hub-fixture.js';

// Dashboard sessions on PostgreSQL (schema migration 2 admits tokens of kind 'session'). Needs
// SPEC_KITTY_TEST_PG, as test/hub/storage/postgres.test.ts does.
const ADMIN_URL = process.env.SPEC_KITTY_TEST_PG;

if (!ADMIN_URL) {
  test.skip('postgres: dashboard sessions (skipped: set SPEC_KITTY_TEST_PG to a postgres:// URL whose user may create databases; .ci/run does)', () => undefined);
} else {
  test('postgres: a dashboard session is stored hashed, authenticates, is revoked by sign-out and by removing its user', async (t) => {
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
    const name = `sk_test_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const storage = createPostgresStorage({ url: url.toString() });
    t.teardown(async () => {
      await storage.close().catch(() => undefined);
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end({ timeout: 5 });
    });
    await storage.migrate();
    const ada = await addUser(storage, 'ada', 'acme', PASSWORD);
    const sessions = new SessionService(storage);
    const first = await sessions.start(ada);
    t.is((await sessions.authenticate(first.token)).team.slug, 'acme');
    t.is(await storage.findToken(first.token), null, 'only the hash is stored');
    await sessions.end(first.token);
    await t.throwsAsync(sessions.authenticate(first.token), { message: /revoked/ });
    const second = await sessions.start(ada);
    // Another kind of token is no session, and a session no access token.
    await t.throwsAsync(new TokenService(storage).authenticate(second.token), { message: /not valid/ });
    t.true(await storage.removeUser('ada'));
    await t.throwsAsync(sessions.authenticate(second.token), { message: /revoked|no longer exists/ });
  });
}
