import test from 'ava';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/cli.js';

const FILE = join(REPO_ROOT, 'test', 'types', 'plugin-api.types.ts');

function diagnostics(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(REPO_ROOT, 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {},
  })!;
  const program = ts.createProgram([file], config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test('a plugin written against spec-kitty/plugin type-checks, and each misuse is a type error', (t) => {
  // Every @ts-expect-error line in the file is a misuse the compiler must reject; an unused one is an error here.
  t.deepEqual(diagnostics(FILE), []);
});
