import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitConfigValues, parseGitConfig } from '../../lib/git-config.js';
import { tempDir } from '../helpers/cli.js';

/** What git itself reads from `file`: `section[.sub].key` → values, from `git config --list --null`. */
function gitReads(file: string): Map<string, Array<string | null>> {
  const out = execFileSync('git', ['config', '--file', file, '--list', '--null'], { encoding: 'utf8' });
  const read = new Map<string, Array<string | null>>();
  for (const record of out.split('\0').filter(Boolean)) {
    const nl = record.indexOf('\n');
    const name = nl < 0 ? record : record.slice(0, nl);
    read.set(name, [...(read.get(name) ?? []), nl < 0 ? null : record.slice(nl + 1)]);
  }
  return read;
}

function weRead(text: string): Map<string, Array<string | null>> {
  const read = new Map<string, Array<string | null>>();
  for (const e of parseGitConfig(text)) {
    const name = [e.section, e.subsection, e.key].filter((p) => p !== null).join('.');
    read.set(name, [...(read.get(name) ?? []), e.value]);
  }
  return read;
}

test('sections, subsections and keys are named as git names them', (t) => {
  const entries = parseGitConfig('[Core]\n\tBare = false\n[remote "Origin"]\n\turl = a\n[branch.Main]\n\tremote = b\n[remote "with \\"quote\\" and \\\\"]\n\turl = c\n');
  t.deepEqual(entries, [
    { section: 'core', subsection: null, key: 'bare', value: 'false' },
    { section: 'remote', subsection: 'Origin', key: 'url', value: 'a' },
    { section: 'branch', subsection: 'main', key: 'remote', value: 'b' },
    { section: 'remote', subsection: 'with "quote" and \\', key: 'url', value: 'c' },
  ]);
});

test('values: quotes, escapes, comments, inner spaces, continued lines, bare keys, CRLF', (t) => {
  const text = [
    '[remote "origin"] url = first   # on the header line',
    '\turl = "two  spaced # not a comment" ; a comment',
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '\tkept   =   a  b\\tc\\nd  ',
    '\tlong = one \\',
    'two',
    '\tmirror',
    '; [remote "origin"] url = commented out',
  ].join('\r\n');
  const entries = parseGitConfig(text);
  t.deepEqual(gitConfigValues(entries, 'remote', 'origin', 'url'), ['first', 'two  spaced # not a comment']);
  t.deepEqual(gitConfigValues(entries, 'Remote', 'origin', 'KEPT'), ['a  b\tc\nd']);
  t.deepEqual(gitConfigValues(entries, 'remote', 'origin', 'long'), ['one two']);
  t.deepEqual(gitConfigValues(entries, 'remote', 'origin', 'mirror'), [null]);
  t.deepEqual(gitConfigValues(entries, 'remote', 'Origin', 'url'), [], 'a quoted subsection is case-sensitive');
});

test('what git writes with `git config`, read back as git reads it', (t) => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, '');
  const values = ['plain', '  leading and trailing  ', 'with "quotes" and \\ backslash', 'hash # and ; semicolon', 'tab\there', 'line\nbreak', 'git@github.com:acme/widgets.git'];
  for (const value of values) execFileSync('git', ['config', '--file', file, '--add', 'remote.origin.url', value]);
  execFileSync('git', ['config', '--file', file, 'remote.Odd Name.url', 'x']);
  const text = readFileSync(file, 'utf8');
  t.deepEqual(gitConfigValues(parseGitConfig(text), 'remote', 'origin', 'url'), values);
  t.deepEqual(weRead(text), gitReads(file));
});

test('a hand-written file with odd spacing and comments reads as git reads it', (t) => {
  const file = join(tempDir(), 'config');
  const text = '# top\n[core]\n  autocrlf=input\n\n[user]   name  =   "Ada"  Lovelace  ;x\n\temail = a@b.c#hash\n[alias]\n\tst = status \\\n  --short\n[flag]\n\ton\n';
  writeFileSync(file, text);
  t.deepEqual(weRead(text), gitReads(file));
  t.deepEqual(gitConfigValues(parseGitConfig(text), 'user', null, 'name'), ['Ada  Lovelace']);
});

test('lines git would reject are skipped, not thrown: the rest is still read', (t) => {
  const entries = parseGitConfig('[ bad header ]\n\turl = no\n= no key\n[remote "origin"\n[remote "origin"]\n\t9key = no\n\turl = yes\n');
  t.deepEqual(entries, [{ section: 'remote', subsection: 'origin', key: 'url', value: 'yes' }]);
});
