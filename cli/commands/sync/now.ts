import { UserError } from '../../../core/errors.js';
import { TOKENS } from '../../../core/tokens.js';
import { EXIT } from '../../exit-codes.js';
import { isTerminal } from '../../launcher/stdio.js';
import { print, printJson } from '../../output.js';
import { cliLogger, cliServices } from '../../runtime.js';
import { batchSyncOf, type DrainProgress, type DrainSummary } from '../../sync/engine.js';
import { holdOpen } from '../../sync/hold-open.js';
import { readSyncSettings } from '../../sync/settings.js';
import { showProgress } from './progress.js';

/** How long `sync now` keeps trying a failing hub before it reports what is left. */
const NOW_DEADLINE_MS = 30_000;

/** `spec-kitty sync now`: sends every pending event now, with progress on a terminal and a summary. */
export async function syncNow(opts: { json?: boolean }): Promise<void> {
  const container = await cliServices();
  const off = readSyncSettings(null).offBecause;
  if (off) throw new UserError(`sync is off (${off}): nothing was sent. Unset it to sync.`);
  const auth = container.get(TOKENS.Auth).status();
  const sync = await batchSyncOf(container, cliLogger());
  if (!sync.engine) throw new UserError(`${sync.why}: nothing was sent. Enable it there to sync.`);
  // A count, not stats(): stats reads every row's state and project.
  const pending = (await container.get(TOKENS.ReadQueue).list({ state: 'pending', limit: 1 })).total;

  // Ctrl-C or SIGTERM: what was claimed goes back to pending, the summary is printed, exit 130 or 143.
  const stopping = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    stopping.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = !opts.json && isTerminal(2) && pending > 0 ? await showProgress(pending) : null;
  let summary: DrainSummary;
  try {
    summary = await holdOpen(sync.engine.drain({
      deadline: Date.now() + NOW_DEADLINE_MS, signal: stopping.signal, retryNow: true,
      onProgress: (p: DrainProgress) => bar?.update(p.sent + p.duplicate + p.dead),
    }));
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const report = {
    hub_url: auth.hubUrl, username: auth.username, team_slug: auth.teamSlug, logged_in: !summary.loggedOut && auth.loggedIn,
    sent: summary.sent, duplicate: summary.duplicate, dead: summary.dead, left: summary.left, error: summary.error,
  };
  const failed = summary.left > 0 || summary.dead > 0 || summary.error !== null;
  if (opts.json) printJson(report);
  else {
    print(`sent ${report.sent}, duplicate ${report.duplicate}, rejected → dead ${report.dead}, left ${report.left}`);
    if (!report.logged_in && report.left > 0) print('not logged in: run `spec-kitty auth login`; the events stay queued');
    else if (report.error) print(`last error: ${report.error}`);
    if (report.dead > 0) print('see why with `spec-kitty sync status`; `spec-kitty sync retry-dead` sends them again');
  }
  if (signalled) process.exitCode = signalled === 'SIGINT' ? 130 : 143;
  else if (failed) process.exitCode = EXIT.failure;
}
