// The two views, each built in one pass into a detached fragment and put in the page with one
// replace: no node is measured or styled while it is built, so 200 projects × 50 WPs cost one
// layout, not thousands. Live events replace only what they touched (a project's card, a
// feature's board, a feed line).

import { LANES, LANE_NAMES, describeEvent, laneCounts, sharedSlugs, sortedProjects } from './board.js';
import { h, timeAgo } from './dom.js';

const short = (uuid) => uuid.slice(0, 8);
export const projectHref = (uuid) => `#/p/${encodeURIComponent(uuid)}`;

/** The projects view: every project of the team, one card each. */
export function projectsView(model, teamSlug) {
  const projects = sortedProjects(model);
  const shared = sharedSlugs(model);
  const list = h('ul', { class: 'projects', id: 'projects', 'aria-label': `Projects of team ${teamSlug}` });
  const fragment = document.createDocumentFragment();
  for (const project of projects) fragment.append(projectCard(project, shared.has(project.project_slug)));
  list.append(fragment);
  return h('section', { class: 'view', 'aria-labelledby': 'view-title' },
    h('h1', { id: 'view-title', tabindex: '-1' }, 'Projects ', h('span', { class: 'muted' }, `· team ${teamSlug}`)),
    projects.length === 0
      ? h('p', { class: 'empty' }, 'No project has sent an event yet. Log in with ', h('code', null, 'spec-kitty auth login'), ' in a repository, then move a work package.')
      : null,
    list);
}

/** One project's card; `sharedSlug` when another project of the team has the same slug (shown apart, with its uuid). */
export function projectCard(project, sharedSlug) {
  const { project_uuid: uuid, project_slug: slug } = project;
  const counts = laneCounts(project);
  const titleId = `p-${uuid}`;
  return h('li', { class: 'project', dataset: { uuid } },
    h('article', { 'aria-labelledby': titleId },
      h('h2', { class: 'project-title', id: titleId },
        h('a', { href: projectHref(uuid) }, slug),
        sharedSlug ? h('span', { class: 'badge', title: 'Another project of the team has this slug: they are different repositories' }, ` ${short(uuid)}…`) : null),
      uuidLine(uuid, slug),
      h('dl', { class: 'lanes-count' },
        LANES.map((lane) => h('div', { class: `count lane-${lane}`, dataset: { lane } },
          h('dt', null, LANE_NAMES[lane]), h('dd', null, String(counts[lane] ?? 0))))),
      h('dl', { class: 'facts' },
        h('div', null, h('dt', null, 'Features'), h('dd', null,
          project.features.length === 0 ? h('span', { class: 'muted' }, 'none') : project.features.map((f, i) => [i > 0 ? ', ' : null, f.name ?? f.feature_slug]))),
        h('div', null, h('dt', null, 'Machines'), h('dd', { class: 'nodes' }, project.node_ids.map((n, i) => [i > 0 ? ' ' : null, h('code', null, n)]))),
        h('div', null, h('dt', null, 'Last activity'), h('dd', null, timeAgo(project.last_event_at))))));
}

/** The uuid, shown on hover or focus, with a button that copies it. */
function uuidLine(uuid, slug) {
  return h('p', { class: 'uuid' },
    h('span', { class: 'uuid-label' }, 'uuid'),
    h('button', { type: 'button', class: 'copy', dataset: { copy: uuid }, 'aria-label': `Copy the uuid of ${slug}` }, 'Copy uuid'),
    h('code', { class: 'uuid-value', title: uuid }, uuid));
}

/** The project view: a lane board per feature, and the feed of recent events. */
export function projectView(project, feed) {
  const { project_slug: slug, project_uuid: uuid } = project;
  return h('section', { class: 'view', 'aria-labelledby': 'view-title', dataset: { uuid } },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Projects'), ' / ', h('span', { 'aria-current': 'page' }, slug)),
    h('h1', { id: 'view-title', tabindex: '-1' }, slug),
    uuidLine(uuid, slug),
    h('p', { class: 'muted' }, `${project.event_count} events from `, project.node_ids.length === 1 ? '1 machine' : `${project.node_ids.length} machines`, ' · last activity ', timeAgo(project.last_event_at)),
    h('div', { class: 'project-layout' },
      h('div', { class: 'boards', id: 'boards' },
        project.features.length === 0 ? h('p', { class: 'empty' }, 'No feature yet.') : project.features.map((f) => featureBoard(f))),
      feedSection(feed)));
}

/** One feature's board: four lanes of WP cards. */
export function featureBoard(feature) {
  const id = `f-${feature.feature_slug}`;
  const byLane = new Map(LANES.map((lane) => [lane, []]));
  for (const wp of feature.wps) (byLane.get(wp.lane) ?? byLane.set(wp.lane, []).get(wp.lane)).push(wp);
  return h('section', { class: 'feature', dataset: { feature: feature.feature_slug }, 'aria-labelledby': id },
    h('h2', { id }, feature.name ?? feature.feature_slug, ' ', h('span', { class: 'muted' }, feature.feature_slug),
      feature.completed_at ? h('span', { class: 'badge done' }, 'completed') : null),
    h('div', { class: 'board' },
      [...byLane].map(([lane, wps]) => {
        const laneId = `${id}-${lane}`;
        return h('section', { class: `lane lane-${lane}`, dataset: { lane }, 'aria-labelledby': laneId },
          h('h3', { id: laneId }, LANE_NAMES[lane] ?? lane, ' ', h('span', { class: 'count-pill', 'aria-label': `${wps.length} work packages` }, String(wps.length))),
          h('ul', { class: 'wps' }, wps.map((wp) => h('li', { class: 'wp', dataset: { wp: wp.wp_id } },
            h('span', { class: 'wp-id' }, wp.wp_id), ' ', wp.title ? h('span', { class: 'wp-title' }, wp.title) : h('span', { class: 'muted' }, 'untitled')))));
      })));
}

/** The feed: newest first. */
export function feedSection(feed) {
  return h('section', { class: 'feed', 'aria-labelledby': 'feed-title' },
    h('h2', { id: 'feed-title' }, 'Recent events'),
    feed === null
      ? h('p', { class: 'muted', id: 'feed-status' }, 'Loading…')
      : h('ol', { class: 'events', id: 'feed' }, feed.map((envelope) => feedItem(envelope))));
}

export function feedItem(envelope) {
  const e = describeEvent(envelope);
  return h('li', { class: 'event', dataset: { event: envelope.event_id } },
    h('span', { class: 'who' }, e.who ?? h('span', { class: 'muted' }, 'someone')), ' ',
    h('span', { class: 'what' }, e.what),
    h('span', { class: 'meta' }, timeAgo(e.when), ' · from ', h('code', null, e.machine), e.feature ? [' · ', e.feature] : null));
}
