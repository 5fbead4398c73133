import { createInterface } from 'node:readline';
import { UserError } from '../../../core/errors.js';
import { readCredentials } from '../../../services/auth/credentials.js';
import { saveCredentials } from '../../../services/auth/credentials-store.js';
import { credentialsFromToken, withCredentialsLock } from '../../../services/auth/refresh.js';
import { FetchHubClient } from '../../../services/hub-client/fetch-hub-client.js';
import { EXIT } from '../../exit-codes.js';
import { bold, print } from '../../output.js';
import { promptSecret, readStdin } from '../../secret-input.js';
import { specKittyHome } from '../../home.js';
import { asUserError } from './hub-failure.js';
import { checkServerUrl } from './server.js';

function storedLogin(home: string) {
  try {
    return readCredentials(home);
  } catch {
    return null; // a broken file is replaced by this login
  }
}

/** Asks one line on the terminal (echoed), on stderr. */
function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => rl.question(question, (answer) => {
    rl.close();
    resolve(answer.trim());
  }));
}

export async function login(opts: { server?: string; username?: string; passwordStdin?: boolean }): Promise<void> {
  const home = specKittyHome();
  const stored = storedLogin(home);
  const envServer = process.env.SPEC_KITTY_SERVER?.trim();
  const [raw, from] = opts.server ? [opts.server, '--server']
    : envServer ? [envServer, 'SPEC_KITTY_SERVER']
    : stored?.hub_url ? [stored.hub_url, 'the stored login'] : [undefined, ''];
  if (!raw) throw new UserError('no hub to log in to: give --server https://… (or set SPEC_KITTY_SERVER)', EXIT.usage);
  const server = checkServerUrl(raw, from);

  let username = opts.username;
  if (!username) {
    if (!process.stdin.isTTY) {
      throw new UserError('no user name: give it with --username (there is no terminal to ask on)', EXIT.usage);
    }
    username = await promptLine(`User name for ${server}: `);
    if (!username) throw new UserError('no user name given', EXIT.usage);
  }
  const password = opts.passwordStdin ? await readStdin() : await promptSecret(`Password for ${username} at ${server}: `);
  if (!password) throw new UserError('no password given', EXIT.usage);

  const hub = new FetchHubClient();
  try {
    const answer = await hub.token(server, username, password).catch((err: unknown) => { throw asUserError(err, server); });
    const credentials = credentialsFromToken(answer, { hub_url: server, username }, Date.now());
    await withCredentialsLock(home, () => saveCredentials(home, credentials));
    print(`Logged in to ${server} as ${bold(username)}, team ${bold(answer.team_slug)}. Events are now attributed to team ${answer.team_slug}.`);
  } finally {
    await hub.close();
  }
}
