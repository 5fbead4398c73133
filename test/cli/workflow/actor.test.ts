import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';
import { makeGitRepo, git } from '../../helpers/git.js';
import { currentActor } from '../../../cli/workflow/actor.js';
import { readGitUser } from '../../../cli/workflow/git-user.js';
import { currentBranch } from '../../../cli/workflow/git-branch.js';

const isolated = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: join(home, '.config') });

test('the repository user wins over the global one, as in git', (t) => {
  const home = tempDir();
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Global Person\n\temail = g@example.com\n');
  const repo = makeGitRepo();
  t.like(readGitUser(repo, isolated(home)), { name: 'Test User', email: 'test@example.com', hasIncludes: false });
  t.like(readGitUser(tempDir(), isolated(home)), { name: 'Global Person' });
});

test('quoted values, comments and other sections are read as git reads them', (t) => {
  const home = tempDir();
  mkdirSync(join(home, '.config', 'git'), { recursive: true });
  writeFileSync(join(home, '.config', 'git', 'config'), '[core]\n name = not-me\n[User]\n  Name = "Ada \\"The\\" Lovelace" ; comment\n email = ada@example.com # c\n');
  t.like(readGitUser(tempDir(), isolated(home)), { name: 'Ada "The" Lovelace', email: 'ada@example.com' });
});

test('the file parser agrees with git on a real repository', (t) => {
  const repo = makeGitRepo();
  git(repo, 'config', 'user.name', 'Zoë Dev # not a comment in quotes?');
  t.is(readGitUser(repo).name, git(repo, 'config', 'user.name'));
});

test('in a linked worktree (.git is a file) the branch is the worktree\'s and the user the repository\'s', (t) => {
  const repo = makeGitRepo();
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'start');
  const worktree = join(tempDir(), 'wt');
  git(repo, 'worktree', 'add', '-q', '-b', '002-payments', worktree);
  mkdirSync(join(worktree, 'kitty-specs'));
  t.is(currentBranch(join(worktree, 'kitty-specs')), '002-payments');
  t.is(currentBranch(repo), 'main');
  t.like(readGitUser(worktree, isolated(tempDir())), { name: 'Test User', email: 'test@example.com' });
});

test('includes are detected so git itself can be asked', (t) => {
  const home = tempDir();
  writeFileSync(join(home, '.gitconfig'), '[include]\n\tpath = ~/other\n');
  t.true(readGitUser(tempDir(), isolated(home)).hasIncludes);
});

test('the actor is the repository user', (t) => {
  t.is(currentActor(makeGitRepo()), 'Test User');
});
