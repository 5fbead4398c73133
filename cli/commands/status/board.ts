import { WP_LANES, type Lane } from '../../../contract/index.js';
import { messageOf } from '../../../core/errors.js';
import { EXIT } from '../../exit-codes.js';
import { bold, dim, print, printJson, table } from '../../output.js';
import { cliLogger } from '../../runtime.js';
import { featureName, listFeatures, matchFeature, readMeta, type Feature } from '../../workflow/feature-store.js';
import { requireWorkflowProject, type WorkflowProject } from '../../workflow/project.js';
import { listWpRefs, readWp } from '../../workflow/wp-store.js';
import { formatQueueLine, queueSummary } from './queue-line.js';

interface WpCard {
  wp_id: string;
  title: string;
  dependencies: string[];
  file: string;
}

interface FeatureBoard {
  slug: string;
  number: string;
  name: string;
  completed_at: string | null;
  lanes: Record<Lane, WpCard[]>;
}

/** A board per feature; an unreadable file is reported (and fails the command) without hiding the rest. */
function boardOf(project: WorkflowProject, feature: Feature, problems: string[]): FeatureBoard {
  let meta: ReturnType<typeof readMeta> = {};
  try {
    meta = readMeta(feature, project);
  } catch (err) {
    problems.push(messageOf(err));
  }
  const lanes = Object.fromEntries(WP_LANES.map((l) => [l, [] as WpCard[]])) as Record<Lane, WpCard[]>;
  for (const ref of listWpRefs(feature)) {
    try {
      const wp = readWp(project, ref);
      lanes[wp.lane].push({ wp_id: wp.id, title: wp.title, dependencies: wp.dependencies, file: wp.displayPath });
    } catch (err) {
      problems.push(messageOf(err));
    }
  }
  return {
    slug: feature.slug, number: feature.number, name: featureName(feature, meta),
    completed_at: typeof meta.completed_at === 'string' ? meta.completed_at : null, lanes,
  };
}

export async function showStatus(opts: { feature?: string; json?: boolean }): Promise<void> {
  const project = requireWorkflowProject(process.cwd());
  const all = listFeatures(project);
  const features = opts.feature !== undefined ? [matchFeature(project, all, opts.feature)] : all;
  const problems: string[] = [];
  const boards = features.map((f) => boardOf(project, f, problems));
  const queue = await queueSummary();

  if (opts.json) {
    printJson({ project_root: project.root, features: boards, queue, problems });
  } else {
    if (boards.length === 0) print('No features yet. Create one with: spec-kitty feature create "<name>"');
    for (const b of boards) printBoard(b);
    print(formatQueueLine(queue));
    for (const p of problems) cliLogger().error(p);
  }
  // The board is still shown, but scripts must notice a file that could not be read.
  if (problems.length > 0) process.exitCode = EXIT.failure;
}

function printBoard(b: FeatureBoard): void {
  const total = WP_LANES.reduce((n, l) => n + b.lanes[l].length, 0);
  const done = b.lanes.done.length;
  const progress = total === 0 ? 'no work packages yet' : `${done}/${total} done${b.completed_at ? ', complete' : ''}`;
  print(`${bold(b.slug)}  ${b.name}  ${dim(progress)}`);
  const rows: string[][] = [];
  for (const lane of WP_LANES) {
    const cards = b.lanes[lane];
    if (cards.length === 0) rows.push([`  ${lane}`, '-', '']);
    cards.forEach((c, i) => rows.push([i === 0 ? `  ${lane}` : '', c.wp_id, c.title +
      (c.dependencies.length ? dim(`  (needs ${c.dependencies.join(', ')})`) : '')]));
  }
  print(table(rows));
  print();
}
