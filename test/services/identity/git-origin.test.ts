import test from 'ava';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalRemote, originUrl } from '../../../services/identity/git-origin.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { tempDir } from '../../helpers/cli.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

test('originUrl reads the origin remote, and is null without git, repository or origin', (t) => {
  t.is(originUrl(makeProject({ origin: 'git@github.com:acme/widgets.git' })), 'git@github.com:acme/widgets.git');
  t.is(originUrl(makeProject({ git: true })), null);
  t.is(originUrl(tempDir()), null);
});

test('every spelling of one remote has one canonical form', (t) => {
  const same = [
    'git@github.com:acme/widgets.git',
    'ssh://git@github.com/acme/widgets.git',
    'ssh://git@GitHub.com:22/acme/widgets',
    'https://github.com/acme/widgets.git',
    'https://user@github.com/acme/widgets/',
  ];
  t.deepEqual(new Set(same.map(canonicalRemote)), new Set(['github.com/acme/widgets']));
  t.is(canonicalRemote('/srv/git/widgets.git'), '/srv/git/widgets.git');
  t.is(canonicalRemote('C:\\repos\\widgets'), 'C:\\repos\\widgets');
});

test('read-only clones of one repository over ssh and https derive the same identity', async (t) => {
  const uuids = [];
  for (const origin of ['git@github.com:acme/widgets.git', 'https://github.com/acme/widgets']) {
    const root = makeProject({ origin, config: '' });
    chmodSync(join(root, '.kittify'), 0o555);
    t.teardown(() => chmodSync(join(root, '.kittify'), 0o755));
    uuids.push((await resolveIdentityAt(root, captureLogger())).identity.project_uuid);
  }
  t.is(uuids[0], uuids[1]);
});
