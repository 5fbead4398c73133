import test from 'ava';
import { checkServerUrl, isLoopback } from '../../../../cli/commands/auth/server.js';

const refusal = (server: string) => {
  try {
    checkServerUrl(server, '--server');
  } catch (err) {
    return err as Error & { exitCode?: number };
  }
  throw new Error(`${server} was accepted`);
};

test('a URL that does not parse is refused without repeating it: it may carry a password', (t) => {
  const err = refusal('https://ada:s3cret@hub.example.com:99999');
  t.regex(err.message, /the hub URL \(--server\) is not a valid URL/);
  t.notRegex(err.message, /s3cret|ada/);
});

test('user info, plain http off this machine and other schemes are refused; the rest is tidied', (t) => {
  t.notRegex(refusal('https://ada:s3cret@hub.example.com').message, /s3cret/);
  t.regex(refusal('http://hub.example.com').message, /refusing plain http to hub\.example\.com/);
  t.regex(refusal('ftp://hub.example.com').message, /must start with https:\/\//);
  t.is(checkServerUrl('https://hub.example.com/team/?x=1#y', '--server'), 'https://hub.example.com/team');
  t.is(checkServerUrl('http://[::1]:8787/', '--server'), 'http://[::1]:8787');
});

test('loopback is 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost, as URL parsing writes them', (t) => {
  for (const host of ['localhost', 'a.localhost', '127.0.0.1', '127.9.9.9', '[::1]', '[::ffff:127.0.0.1]', '[0:0:0:0:0:0:0:1]']) {
    t.true(isLoopback(new URL(`http://${host}/`).hostname), host);
  }
  for (const host of ['10.0.0.7', 'hub.example.com', '[::2]', '[::ffff:10.0.0.1]', 'localhost.example.com']) {
    t.false(isLoopback(new URL(`http://${host}/`).hostname), host);
  }
});
