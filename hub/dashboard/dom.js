// A small element builder: every node is made with createElement and text nodes, never from an
// HTML string, so nothing a project or an event carries can become markup.

/**
 * h('li', { class: 'wp', dataset: { wp: 'WP01' } }, 'text', child…): attributes (`class`,
 * `dataset`, `on…` listeners, anything else as an attribute), then children (strings, nodes,
 * arrays, null skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

const RELATIVE = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;
const STEPS = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month'], [Infinity, 'year']];

/** "3 minutes ago" for an epoch time. */
export function relativeLabel(ms, now = Date.now()) {
  let amount = (ms - now) / 1000;
  if (!RELATIVE) return `${Math.round(-amount)} s ago`;
  for (const [size, unit] of STEPS) {
    if (Math.abs(amount) < size) return RELATIVE.format(Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

/** A <time> saying "3 minutes ago" (the exact time in its title and datetime), or "never". */
export function timeAgo(isoTime, now = Date.now()) {
  if (!isoTime) return h('span', { class: 'muted' }, 'never');
  const ms = Date.parse(isoTime);
  if (Number.isNaN(ms)) return h('span', null, isoTime);
  return h('time', { datetime: isoTime, title: new Date(ms).toLocaleString() }, relativeLabel(ms, now));
}
