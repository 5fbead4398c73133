// The dashboard's entry: sign-in, the two views (#/ the projects, #/p/<uuid> one project), and
// the live socket that keeps them current in place. No framework: hub/dashboard/*.js are served
// as they are, as ES modules, under content-hashed URLs.

import { applyEvent, fromProjects, sharedSlugs } from './board.js';
import { CSRF_HEADERS, connectLive } from './live.js';
import { featureBoard, feedItem, feedSection, projectCard, projectView, projectsView } from './render.js';
import { h, relativeLabel } from './dom.js';

const FEED_LIMIT = 50;
const $ = (id) => document.getElementById(id);

/** What the page shows, and what tests and the bench read (window.__skDashboard). */
const state = {
  user: null,
  teamSlug: '',
  model: null,
  live: null,
  /** The project view's feed: newest first; null while it loads. */
  feed: null,
  feedUuid: null,
  stats: { snapshots: 0, events: 0, renders: 0, lastRenderMs: null, connection: 'offline' },
};
window.__skDashboard = state.stats;

// ---- sign-in and out ----

async function start() {
  $('sign-in-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', onSignOut);
  $('view').addEventListener('click', onCopy);
  window.addEventListener('hashchange', () => render({ focus: true }));
  // Relative times ("3 minutes ago") age on screen: refreshed from the page's own data, no request.
  setInterval(refreshTimes, 30_000);
  const session = await (await fetch('/dashboard/api/session', { credentials: 'same-origin' })).json();
  if (session.signed_in) signedIn(session);
  else showSignIn();
}

function showSignIn(message) {
  state.live?.stop();
  Object.assign(state, { user: null, model: null, live: null, feed: null, feedUuid: null });
  setConnection('offline');
  $('who').hidden = true;
  $('view').replaceChildren();
  $('sign-in').hidden = false;
  const error = $('sign-in-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  document.title = 'Sign in · spec-kitty hub';
  $('username').focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const username = form.username.value.trim();
  const password = form.password.value;
  const error = $('sign-in-error');
  if (!username || !password) {
    error.textContent = 'Enter your username and password.';
    error.hidden = false;
    (username ? form.password : form.username).focus();
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const response = await fetch('/dashboard/api/session', {
      method: 'POST', credentials: 'same-origin',
      headers: { ...CSRF_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = response.status === 401 ? 'Wrong username or password.'
        : response.status === 429 ? `Too many failed sign-ins: try again in ${response.headers.get('retry-after') ?? 60} s.`
        : body.message ?? `Sign-in failed (${response.status}).`;
      error.hidden = false;
      form.password.select();
      return;
    }
    // A Secure cookie is not kept over plain http: say so rather than loop back to this form.
    const check = await (await fetch('/dashboard/api/session', { credentials: 'same-origin' })).json();
    if (!check.signed_in) {
      error.textContent = 'Signed in, but the browser did not keep the session cookie: open the hub over https.';
      error.hidden = false;
      return;
    }
    form.reset();
    signedIn(body);
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  await fetch('/dashboard/api/sign-out', { method: 'POST', headers: CSRF_HEADERS, credentials: 'same-origin' }).catch(() => undefined);
  showSignIn();
}

function signedIn(session) {
  state.user = session.username;
  state.teamSlug = session.team_slug;
  $('sign-in').hidden = true;
  $('who').hidden = false;
  $('who-name').textContent = `${session.username} · ${session.team_slug}`;
  $('view').replaceChildren(h('p', { class: 'muted', id: 'loading' }, 'Loading the board…'));
  state.live = connectLive({
    onState: setConnection,
    onSnapshot,
    onEvent,
    onSignedOut: () => showSignIn('Your session has ended: sign in again.'),
  });
}

// ---- live ----

const CONNECTION_TEXT = { offline: '', connecting: 'Connecting…', live: 'Live', reconnecting: 'Connection lost: reconnecting…' };

function setConnection(connection) {
  state.stats.connection = connection;
  const el = $('connection');
  el.dataset.state = connection;
  el.textContent = CONNECTION_TEXT[connection];
  el.hidden = connection === 'offline';
}

function onSnapshot(message, receivedAt) {
  state.stats.snapshots += 1;
  state.teamSlug = message.team_slug ?? state.teamSlug;
  state.model = fromProjects(message.projects ?? []);
  // A resync: what the project view's feed missed while disconnected is read again.
  if (state.feedUuid !== null) state.feed = null;
  render({ focus: state.stats.snapshots === 1 ? false : undefined, receivedAt });
}

function onEvent(envelope) {
  state.stats.events += 1;
  if (!state.model) return;
  const touched = applyEvent(state.model, envelope);
  if (!touched) return;
  const uuid = touched.project.project_uuid;
  const route = currentRoute();
  if (route.uuid === null) {
    const card = document.querySelector(`li.project[data-uuid="${CSS.escape(uuid)}"]`);
    // A new project (or a slug change) changes the order: the list is rebuilt; otherwise one card is.
    if (!card || touched.added || card.querySelector('.project-title a').textContent !== touched.project.project_slug) render();
    else card.replaceWith(projectCard(touched.project, sharedSlugs(state.model).has(touched.project.project_slug)));
    return;
  }
  if (route.uuid !== uuid) return;
  const boards = $('boards');
  const old = touched.feature && boards?.querySelector(`section.feature[data-feature="${CSS.escape(touched.feature.feature_slug)}"]`);
  if (old) old.replaceWith(featureBoard(touched.feature));
  else render();
  if (state.feed !== null && !state.feed.some((e) => e.event_id === envelope.event_id)) {
    state.feed = [envelope, ...state.feed].slice(0, FEED_LIMIT);
    $('feed')?.prepend(feedItem(envelope));
    const items = $('feed')?.children;
    while (items && items.length > FEED_LIMIT) items[items.length - 1].remove();
  }
}

// ---- views ----

function currentRoute() {
  const match = /^#\/p\/([^/?#]+)/.exec(location.hash);
  return { uuid: match ? decodeURIComponent(match[1]).toLowerCase() : null };
}

/** Builds the current view off the page, then swaps it in with one replace. */
function render({ focus = false, receivedAt } = {}) {
  if (!state.model) return;
  const { uuid } = currentRoute();
  const project = uuid === null ? undefined : state.model.get(uuid);
  let view;
  if (uuid === null) {
    view = projectsView(state.model, state.teamSlug);
    document.title = `Projects · ${state.teamSlug} · spec-kitty hub`;
  } else if (!project) {
    view = h('section', { class: 'view', 'aria-labelledby': 'view-title' },
      h('h1', { id: 'view-title', tabindex: '-1' }, 'No such project'),
      h('p', null, 'Your team has no project with this uuid. ', h('a', { href: '#/' }, 'All projects')));
    document.title = 'No such project · spec-kitty hub';
  } else {
    if (state.feedUuid !== uuid) { state.feed = null; state.feedUuid = uuid; }
    view = projectView(project, state.feed);
    document.title = `${project.project_slug} · spec-kitty hub`;
    if (state.feed === null) void loadFeed(uuid);
  }
  if (uuid === null) state.feedUuid = null;
  $('view').replaceChildren(view);
  state.stats.renders += 1;
  if (focus) $('view-title')?.focus();
  if (receivedAt !== undefined) {
    // Render time: from the snapshot's arrival to the frame that shows it (after style and layout).
    requestAnimationFrame(() => setTimeout(() => { state.stats.lastRenderMs = performance.now() - receivedAt; }, 0));
  }
}

async function loadFeed(uuid) {
  try {
    const response = await fetch(`/api/v1/projects/${encodeURIComponent(uuid)}/events/?limit=${FEED_LIMIT}`, { credentials: 'same-origin' });
    if (response.status === 401) return showSignIn('Your session has ended: sign in again.');
    if (!response.ok) throw new Error(String(response.status));
    const { events } = await response.json();
    if (state.feedUuid !== uuid) return;
    // Pushes that came while the page was read stay on top; nothing shows twice.
    const fetched = events.map((e) => e.envelope);
    const ids = new Set(fetched.map((e) => e.event_id));
    state.feed = [...(state.feed ?? []).filter((e) => !ids.has(e.event_id)), ...fetched].slice(0, FEED_LIMIT);
    document.querySelector('section.feed')?.replaceWith(feedSection(state.feed));
  } catch {
    const status = $('feed-status');
    if (status) status.textContent = 'The events could not be read; they will be read again on the next connection.';
  }
}

async function onCopy(event) {
  const button = event.target.closest('button[data-copy]');
  if (!button) return;
  const value = button.dataset.copy;
  let copied = false;
  try {
    await navigator.clipboard.writeText(value);
    copied = true;
  } catch {
    // No clipboard (plain http off loopback): select the uuid so the keyboard can copy it.
    const code = button.parentElement.querySelector('.uuid-value');
    const range = document.createRange();
    range.selectNodeContents(code);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
  button.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C';
  setTimeout(() => { button.textContent = 'Copy uuid'; }, 2000);
}

function refreshTimes() {
  // Only the text changes; the element and its datetime stay.
  const now = Date.now();
  for (const time of document.querySelectorAll('time[datetime]')) {
    const ms = Date.parse(time.dateTime);
    if (!Number.isNaN(ms)) time.textContent = relativeLabel(ms, now);
  }
}

void start();
