// DOM building without HTML strings. Everything that comes from the platforms is untrusted:
// it only ever reaches the page as text nodes or as values of the safe attributes below, and
// URLs only when they are http(s). No string is ever parsed as HTML anywhere in the console.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Attributes a page may set from data. Event handlers are functions passed as on* properties,
// never attribute strings; href/src go through safeUrl first.
const SAFE_ATTRIBUTES = new Set([
  'id', 'class', 'role', 'title', 'lang', 'dir', 'tabindex', 'hidden', 'for', 'name', 'type',
  'value', 'placeholder', 'autocomplete', 'inputmode', 'required', 'disabled', 'checked',
  'selected', 'readonly', 'rows', 'cols', 'maxlength', 'minlength', 'pattern', 'min', 'max',
  'step', 'colspan', 'rowspan', 'scope', 'datetime', 'alt', 'width', 'height', 'rel', 'target',
  'download', 'href', 'src', 'open', 'multiple', 'size', 'spellcheck', 'autofocus',
  'enterkeyhint', 'form', 'novalidate', 'method', 'action', 'loading', 'decoding',
  'referrerpolicy', 'start', 'reversed', 'headers', 'abbr', 'label',
]);

const SVG_ATTRIBUTES = new Set([
  'viewBox', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'width', 'height', 'points', 'd', 'fill', 'stroke',
  'stroke-width', 'stroke-dasharray', 'text-anchor', 'dominant-baseline', 'font-size', 'class',
  'role', 'focusable', 'preserveAspectRatio', 'rx', 'ry', 'opacity', 'fill-opacity', 'cx', 'cy', 'r',
]);

// The http(s) URL as a string, or null for anything else (script or data URLs, relative junk).
export function safeHttpUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

// A same-origin path of our own (e.g. /incidents/3), or null.
function safeLocalPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return null;
  try {
    const url = new URL(value, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

function setAttribute(el, name, value, allowed) {
  if (value === undefined || value === null || value === false) return;
  if (name.startsWith('aria-') || name.startsWith('data-')) {
    el.setAttribute(name, value === true ? 'true' : String(value));
    return;
  }
  if (!allowed.has(name)) throw new Error(`attribute not allowed: ${name}`);
  if (name === 'href' || name === 'src') {
    const safe = safeLocalPath(value) ?? safeHttpUrl(value);
    if (safe === null) return;
    value = safe;
  }
  el.setAttribute(name, value === true ? '' : String(value));
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

function build(el, props, children, allowed) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (key.startsWith('on')) {
      if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
      else if (value !== undefined && value !== null) throw new Error(`${key} must be a function`);
    } else if (key === 'text') {
      el.textContent = value ?? '';
    } else {
      setAttribute(el, key, value, allowed);
    }
  }
  append(el, children);
  return el;
}

// h('a', {href: '/x', class: 'c'}, 'text', child, [more]) -> an element.
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children, SAFE_ATTRIBUTES);
}

// The same for SVG elements (charts).
export function svg(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children, SVG_ATTRIBUTES);
}

// An outbound link to a platform page: only http(s), opened without referrer, and the URL is
// also shown as text so staff see where it goes. Anything else is shown as plain text.
export function externalLink(url, label) {
  const safe = safeHttpUrl(url);
  if (safe === null) return h('span', { class: 'unsafe-url' }, label ?? url ?? '');
  return h('a', { href: safe, rel: 'noopener noreferrer', target: '_blank', class: 'external' },
    label ?? safe);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const dateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function parseTime(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

// A <time> element showing Japan time, with the machine-readable instant.
export function timeElement(value, fallback = '—') {
  const d = parseTime(value);
  if (d === null) return h('span', { class: 'muted' }, fallback);
  return h('time', { datetime: d.toISOString() }, dateTime.format(d));
}

export function formatTime(value) {
  const d = parseTime(value);
  return d === null ? '' : dateTime.format(d);
}

export function formatClock(d) {
  return timeOnly.format(d);
}

// "3分前", "2時間後" relative to now, for due times.
export function relativeTime(value, now = Date.now()) {
  const d = parseTime(value);
  if (d === null) return '';
  const minutes = Math.round((d.getTime() - now) / 60000);
  const abs = Math.abs(minutes);
  const amount = abs < 60 ? `${abs}分` : abs < 48 * 60 ? `${Math.round(abs / 60)}時間` : `${Math.round(abs / 1440)}日`;
  if (abs === 0) return 'まもなく';
  return minutes < 0 ? `${amount}前` : `${amount}後`;
}

export function formatNumber(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return value.toLocaleString('ja-JP', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percent(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return `${Math.round(value * 100)}%`;
}
