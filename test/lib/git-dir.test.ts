import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commonGitDir, findGitRepository, gitDirOf } from '../../lib/git-dir.js';
import { tempDir } from '../helpers/cli.js';
import { git, makeGitRepo } from '../helpers/git.js';

// Checked against what git itself says (`rev-parse --git-dir`, `--git-common-dir`).
const gitSays = (cwd: string, what: string) => git(cwd, 'rev-parse', '--path-format=absolute', what);

test('a main work tree: .git is the git dir and its own common dir, from any subfolder', (t) => {
  const repo = makeGitRepo();
  const deep = join(repo, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  t.deepEqual(findGitRepository(deep), { top: repo, gitDir: join(repo, '.git') });
  t.is(gitDirOf(deep), gitSays(deep, '--git-dir'));
  t.is(commonGitDir(join(repo, '.git')), gitSays(deep, '--git-common-dir'));
});

test('a linked worktree: .git is a file naming the git dir, whose commondir is the main .git', (t) => {
  const repo = makeGitRepo();
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'start');
  const worktree = join(tempDir(), 'wt');
  git(repo, 'worktree', 'add', '-q', '-b', 'side', worktree);
  const found = findGitRepository(join(worktree));
  t.is(found?.top, worktree);
  t.is(found?.gitDir, gitSays(worktree, '--git-dir'));
  t.is(commonGitDir(found!.gitDir), gitSays(worktree, '--git-common-dir'));
  t.is(commonGitDir(found!.gitDir), join(repo, '.git'));
});

test('a submodule-style .git file with a relative gitdir is resolved from the folder holding it', (t) => {
  const repo = makeGitRepo();
  const sub = join(repo, 'vendor', 'lib');
  mkdirSync(join(repo, '.git', 'modules', 'lib'), { recursive: true });
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, '.git'), 'gitdir: ../../.git/modules/lib\n');
  t.deepEqual(findGitRepository(join(sub)), { top: sub, gitDir: join(repo, '.git', 'modules', 'lib') });
  t.is(commonGitDir(join(repo, '.git', 'modules', 'lib')), join(repo, '.git', 'modules', 'lib'), 'no commondir: its own');
});

test('outside git, or with a .git file that names nothing, there is no repository', (t) => {
  t.is(findGitRepository(tempDir()), null);
  const odd = tempDir();
  writeFileSync(join(odd, '.git'), 'not a gitdir line\n');
  t.is(gitDirOf(odd), null);
});
