import test from 'ava';
import { rebindServices } from '../../helpers/services.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import { saveCredentials } from '../../../services/auth/credentials-store.js';
import { createEmitter } from '../../../cli/composition-root.js';
import { envelopeViolations } from '../../../contract/index.js';
import plugin from '../../../plugins/team-slug-auth/index.js';
import { tempDir } from '../../helpers/cli.js';
import { captureLogger, makeProject, memoryQueue } from '../../helpers/identity.js';
import { draft } from '../../helpers/pipeline.js';

async function emitOnce(home: string) {
  const { queue } = memoryQueue();
  const { logger, lines } = captureLogger();
  const emitter = await createEmitter({ builtins: BUILTIN_PLUGINS, cwd: makeProject(), home, logger, rebind: rebindServices({ queue }) });
  const result = await emitter.emit(draft());
  await emitter.close();
  return { ...result, lines };
}

test('logged in: events carry the stored team slug', async (t) => {
  const home = join(tempDir(), 'home');
  await saveCredentials(home, {
    hub_url: 'https://hub.example.com', username: 'ada', team_slug: 'acme-platform', access_token: 'a', refresh_token: 'r',
  });
  const { envelope } = await emitOnce(home);
  t.is(envelope.team_slug, 'acme-platform');
  t.deepEqual(envelopeViolations(envelope), []);
});

test('not logged in: team "local"', async (t) => {
  const { envelope, lines } = await emitOnce(join(tempDir(), 'home'));
  t.is(envelope.team_slug, 'local');
  t.deepEqual(lines, []);
});

test('a corrupt credentials file: team "local", a warning, the event still goes through', async (t) => {
  const home = tempDir();
  writeFileSync(join(home, 'credentials.json'), '{"version": 1, "team_slug": ');
  const { envelope, status, context, lines } = await emitOnce(home);
  t.is(status, 'emitted');
  t.is(envelope.team_slug, 'local');
  t.deepEqual(context.degraded, []);
  t.is(lines.filter((l) => l.includes('cannot read the stored login')).length, 1);
});

test('the plugin is implemented and takes no options', (t) => {
  t.not(plugin.implemented, false);
  t.throws(() => plugin.validateOptions!({ team: 'x' }), { message: /unknown option "team"/ });
});
