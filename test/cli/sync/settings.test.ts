import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXIT_FLUSH_MS, readSyncSettings } from '../../../cli/sync/settings.js';
import { tempDir } from '../../helpers/cli.js';

function project(config?: string): string {
  const root = tempDir('sk-sync-settings-');
  mkdirSync(join(root, '.kittify'));
  if (config !== undefined) writeFileSync(join(root, '.kittify', 'config.yaml'), config);
  return root;
}

const ON = { enabled: true, offBecause: null, background: true, exitFlushMs: DEFAULT_EXIT_FLUSH_MS };

test('on by default: outside a project, without a config, or without a sync section', (t) => {
  t.deepEqual(readSyncSettings(null, {}), ON);
  t.deepEqual(readSyncSettings(project(), {}), ON);
  t.deepEqual(readSyncSettings(project('project:\n  slug: x\n'), {}), ON);
});

test('sync.auto_start: false turns it off, and says where', (t) => {
  const root = project('# keep me\nsync:\n  auto_start: false\n');
  const s = readSyncSettings(root, {});
  t.false(s.enabled);
  t.regex(s.offBecause ?? '', /sync\.auto_start: false in .*config\.yaml/);
});

test('SPEC_KITTY_SYNC=off turns it off anywhere; other values leave it on', (t) => {
  t.like(readSyncSettings(null, { SPEC_KITTY_SYNC: 'off' }), { enabled: false, offBecause: 'SPEC_KITTY_SYNC=off' });
  t.like(readSyncSettings(project(), { SPEC_KITTY_SYNC: 'OFF' }), { enabled: false });
  t.like(readSyncSettings(null, { SPEC_KITTY_SYNC: 'on' }), { enabled: true });
});

test('background and exit_flush_ms are read; a wrong type warns and keeps the default', (t) => {
  t.like(readSyncSettings(project('sync:\n  background: false\n  exit_flush_ms: 300\n'), {}), { enabled: true, background: false, exitFlushMs: 300 });
  const warnings: string[] = [];
  const s = readSyncSettings(project('sync:\n  auto_start: "no"\n  exit_flush_ms: -5\n'), {}, (w) => warnings.push(w));
  t.deepEqual(s, ON, 'a typo never silently stops sync');
  t.is(warnings.length, 2);
  t.regex(warnings[0], /sync\.auto_start must be true or false \(got "no"\)/);
  t.regex(warnings[1], /sync\.exit_flush_ms must be a whole number/);
});

test('a corrupt config leaves sync on (identity reports the file)', (t) => {
  t.deepEqual(readSyncSettings(project('sync: [unclosed\n'), {}), ON);
});
