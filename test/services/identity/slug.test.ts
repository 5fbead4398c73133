import test from 'ava';
import { basename } from 'node:path';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { kebabCase, repoNameFromRemote } from '../../../services/identity/slug.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

test('kebab-case', (t) => {
  t.is(kebabCase('My_Cool Project'), 'my-cool-project');
  t.is(kebabCase('SpecKitty'), 'spec-kitty');
  t.is(kebabCase('HTTPServer.v2'), 'http-server-v2');
  t.is(kebabCase('  --Café  Été--  '), 'cafe-ete');
  t.is(kebabCase('___'), '');
});

test('the repository name in remote URLs of every shape', (t) => {
  t.is(repoNameFromRemote('git@github.com:acme/widgets.git'), 'widgets');
  t.is(repoNameFromRemote('git@host:widgets.git'), 'widgets');
  t.is(repoNameFromRemote('ssh://git@git.example.com:2222/acme/widgets.git'), 'widgets');
  t.is(repoNameFromRemote('https://github.com/acme/widgets.git'), 'widgets');
  t.is(repoNameFromRemote('https://github.com/acme/widgets/'), 'widgets');
  t.is(repoNameFromRemote('https://github.com/acme/widgets.git/'), 'widgets');
  t.is(repoNameFromRemote('/srv/git/widgets.git'), 'widgets');
  t.is(repoNameFromRemote('C:\\repos\\widgets\\'), 'widgets');
  t.is(repoNameFromRemote('file:///srv/git/widgets'), 'widgets');
});

// Real repositories: the slug comes from `git remote get-url origin`, not from the folder name.
const remotes: Array<[string, string]> = [
  ['git@github.com:acme/My_Cool Project.git', 'my-cool-project'],
  ['ssh://git@git.example.com:2222/acme/port-repo.git', 'port-repo'],
  ['https://github.com/acme/Https_Repo.git', 'https-repo'],
  ['https://github.com/acme/no-dot-git', 'no-dot-git'],
  ['https://gitlab.example.com/group/sub/trailing-slash/', 'trailing-slash'],
  ['/srv/git/LocalPath.git', 'local-path'],
];
for (const [origin, slug] of remotes) {
  test(`slug from origin ${origin}`, async (t) => {
    const root = makeProject({ origin, name: 'Folder Name' });
    const { identity } = await resolveIdentityAt(root, captureLogger());
    t.is(identity.project_slug, slug);
  });
}

test('without an origin remote the slug is the kebab-cased folder name', async (t) => {
  const root = makeProject({ git: true, name: 'My_Cool Project' });
  t.is(basename(root), 'My_Cool Project');
  const { identity } = await resolveIdentityAt(root, captureLogger());
  t.is(identity.project_slug, 'my-cool-project');
});

test('outside git and with a folder name that has no letters or digits, the slug is still not empty', async (t) => {
  const root = makeProject({ name: '___' });
  const { identity } = await resolveIdentityAt(root, captureLogger());
  t.is(identity.project_slug, 'project');
});
