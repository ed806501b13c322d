// Building the page from data: every value becomes a text node or an attribute value, never parsed markup.

/** An element with attributes and children; strings become text nodes, null/false children are skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements (charts and timelines are drawn with attributes, never style strings). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.setAttribute('class', value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function add(el, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A name that may be written right to left (Urdu, Arabic): isolated so it never reorders the text around it. */
export const bdi = (text) => h('bdi', { dir: 'auto' }, text);

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const unescapeHtml = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name) => ENTITIES[name]);

/**
 * A search snippet as nodes. The API escapes the text and wraps matches in exactly `<mark>` and `</mark>`;
 * those two tags are the only markup taken from it. Everything else is unescaped into text nodes, so a
 * stray tag in the data shows as characters.
 */
export function snippetNodes(snippet) {
  const nodes = [];
  let marked = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part !== '') nodes.push(marked ? h('mark', null, unescapeHtml(part)) : document.createTextNode(unescapeHtml(part)));
  }
  return nodes;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** 2024-04-04 → "4 April 2024" in a <time>; null → "undated". */
export function date(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'undated');
  return h('time', { datetime: iso }, dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)));
}

export const monthLabel = (month) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));

/** Only http(s) links leave the page: a `javascript:` URL in the data never becomes a link. */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link inside the explorer: `#/view/id?query`. */
export function href(path, params) {
  const query = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')) : null;
  const qs = query?.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export const link = (path, params, ...children) => h('a', { href: href(path, params) }, ...children);

/** "1 statement", "2 statements". */
export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A definition list from [term, value] pairs; pairs with no value are left out. */
export function details(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0))
      .map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))),
  );
}

export const muted = (text) => h('p', { class: 'muted' }, text);

/** Join nodes with a separator: [a, ', ', b, ', ', c]. */
export function joined(items, separator = ', ') {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}
