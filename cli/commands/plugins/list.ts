import type { LoadedPlugin } from '../../../core/plugin-loader.js';
import { dim, print, printJson, table } from '../../output.js';
import { emitter } from '../../runtime.js';

interface Row {
  position: number;
  name: string;
  use: string;
  phases: string[];
  source: string;
  enabled: boolean;
  required: boolean;
  status: 'active' | 'disabled' | 'error' | 'not implemented';
  options: unknown;
  file: string;
  error?: string;
}

function toRow(p: LoadedPlugin, i: number): Row {
  const status = p.status === 'active' && p.plugin?.implemented === false ? 'not implemented' : p.status;
  return {
    position: i + 1,
    name: p.plugin?.name ?? p.entry.use,
    use: p.entry.use,
    phases: p.phases,
    source: p.entry.source,
    enabled: p.entry.enabled,
    required: p.entry.required,
    status,
    options: p.options ?? p.entry.options,
    file: p.entry.adjustedIn ?? p.entry.definedIn,
    ...(p.error ? { error: p.error } : {}),
  };
}

export async function listPlugins(opts: { json?: boolean }): Promise<void> {
  const { plugins, projectRoot } = await emitter();
  const rows = plugins.map(toRow);
  if (opts.json) {
    printJson({ project_root: projectRoot, plugins: rows });
    return;
  }
  print(table(
    rows.map((r) => [String(r.position), r.name, r.phases.join(',') || '-', r.source, r.status, JSON.stringify(r.options)]),
    ['#', 'plugin', 'phase', 'source', 'status', 'options'],
  ));
  for (const r of rows.filter((x) => x.error)) print(dim(`  ${r.name}: ${r.error} (${r.file})`));
}
