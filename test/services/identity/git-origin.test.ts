import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalRemote, originOf, originUrl } from '../../../services/identity/git-origin.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { derivedUuid, resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { tempDir } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

/** What `git remote get-url origin` prints, without the user's own git settings. */
const gitGetUrl = (cwd: string) => execFileSync('git', ['remote', 'get-url', 'origin'], {
  cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
}).trim();

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

const FORMS = [
  'git@github.com:acme/widgets.git',
  'git@github.com:acme/widgets',
  'ssh://git@github.com/acme/widgets.git',
  'ssh://git@github.com:22/acme/widgets',
  'https://github.com/acme/widgets.git',
  'https://github.com/acme/widgets',
];

test('originUrl reads what `git remote get-url origin` prints, for every form of remote, from the config file', (t) => {
  for (const origin of [...FORMS, '/srv/git/widgets.git', '../sibling']) {
    const root = makeProject({ origin });
    t.is(originUrl(root), gitGetUrl(root), origin);
    t.is(originUrl(root), origin);
  }
});

test('ssh, scp-like and https remotes, with or without .git, derive one uuid', (t) => {
  const uuids = new Set(FORMS.map((origin) => {
    const root = makeProject({ origin });
    return derivedUuid(root, originOf(root)).uuid;
  }));
  t.deepEqual([...uuids], [nameUuid('spec-kitty project origin github.com/acme/widgets')]);
});

test('in a linked worktree (.git is a file) the origin comes from the main repository\'s config', (t) => {
  const root = makeProject({ origin: 'git@github.com:acme/widgets.git' });
  git(root, 'commit', '-q', '--allow-empty', '-m', 'start');
  const worktree = join(tempDir(), 'wt');
  git(root, 'worktree', 'add', '-q', '-b', 'side', worktree);
  t.deepEqual(originOf(join(worktree)), { url: 'git@github.com:acme/widgets.git', top: worktree });
  t.is(originUrl(worktree), gitGetUrl(worktree));
  t.is(derivedUuid(worktree, originOf(worktree)).uuid, derivedUuid(root, originOf(root)).uuid, 'a worktree is the same project');
});

test('the origin is read without running git (none on PATH)', (t) => {
  const root = makeProject({ origin: 'https://github.com/acme/widgets' });
  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    t.is(originUrl(root), 'https://github.com/acme/widgets');
  } finally {
    process.env.PATH = path;
  }
});

test('a project in a subfolder of a repository derives its own uuid, the same in every clone', (t) => {
  const uuidOf = (origin: string) => {
    const top = makeProject({ origin });
    const sub = join(top, 'services', 'billing');
    mkdirSync(join(sub, '.kittify'), { recursive: true });
    return { top: derivedUuid(top, originOf(top)).uuid, sub: derivedUuid(sub, originOf(sub)).uuid };
  };
  const a = uuidOf('git@github.com:acme/mono.git');
  const b = uuidOf('https://github.com/acme/mono');
  t.is(a.sub, nameUuid('spec-kitty project origin github.com/acme/mono services/billing'));
  t.is(a.top, nameUuid('spec-kitty project origin github.com/acme/mono'));
  t.not(a.sub, a.top);
  t.deepEqual(a, b);
});
