// Pieces several views share: a statement card, the statement filter form, stance badges, paging.
import { byIds, get, vocab } from './api.js';
import { bdi, date, h, href, joined, link, snippetNodes } from './dom.js';

/** The statement filters the list, exports and trends share, as the API names them. */
export const STATEMENT_FILTERS = [
  'q',
  'speaker',
  'onBehalfOf',
  'topic',
  'addressee',
  'kind',
  'act',
  'from',
  'to',
  'event',
  'source',
  'respondsTo',
  'language',
];

export function pick(params, names) {
  return Object.fromEntries(names.filter((n) => params.get(n)).map((n) => [n, params.get(n)]));
}

/** The words of a statement: a quote in quotation marks, reported speech as plain text; right-to-left safe. */
export function statementText(statement, { snippet } = {}) {
  const content = snippet ? snippetNodes(snippet) : [statement.text];
  const attrs = { dir: 'auto', lang: statement.language ?? undefined };
  return statement.kind === 'quote'
    ? h('blockquote', { ...attrs, class: 'quote' }, h('p', null, ...content))
    : h('p', { ...attrs, class: 'paraphrase' }, ...content);
}

/** One statement in a list: its words (or the search snippet), who, when, where; the date links to it. */
function statementCard(statement) {
  const speaker = statement.speaker;
  return h(
    'article',
    { class: 'card statement' },
    statementText(statement, { snippet: statement.snippet }),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: 'kind' }, statement.kind === 'quote' ? 'Quote' : 'Paraphrase'),
      ' · ',
      link(`actor/${statement.speakerId}`, null, bdi(speaker?.name ?? statement.speakerId)),
      // A role that only repeats the name ("Afghan Deputy Interior Minister") is said once.
      statement.speakerRole && statement.speakerRole !== speaker?.name ? [', ', h('span', { dir: 'auto' }, statement.speakerRole)] : null,
      ' · ',
      date(statement.statedOn),
      statement.event ? [' · ', h('span', { dir: 'auto' }, statement.event.title)] : null,
      ' · ',
      h('a', { href: href(`statement/${statement.id}`), class: 'more', 'aria-label': `Open statement ${statement.id}` }, 'Open'),
    ),
  );
}

export function statementList(statements) {
  if (statements.length === 0) return h('p', { class: 'muted' }, 'No statements.');
  return h(
    'ol',
    { class: 'cards' },
    statements.map((s) => h('li', null, statementCard(s))),
  );
}

export const stanceBadge = (stance) => h('span', { class: `stance stance-${stance}` }, stance);

/** Labelled input with suggestions (a datalist of id → name), so any id can be typed as well as picked. */
export function idInput(name, label, value, options) {
  const listId = `list-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: `f-${name}` }, label),
    h('input', { id: `f-${name}`, name, value: value ?? '', list: listId, autocomplete: 'off', spellcheck: 'false' }),
    h(
      'datalist',
      { id: listId },
      options.map((o) => h('option', { value: o.id }, o.name ?? o.title ?? o.id)),
    ),
  );
}

function selectInput(name, label, value, options) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: `f-${name}` }, label),
    h(
      'select',
      { id: `f-${name}`, name },
      h('option', { value: '' }, 'any'),
      options.map(([id, text]) => h('option', { value: id, selected: id === value }, text)),
    ),
  );
}

function dateInput(name, label, value) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: `f-${name}` }, label),
    h('input', { id: `f-${name}`, name, type: 'date', value: value ?? '' }),
  );
}

let suggested;

/** Suggestions for the id fields: the first hundred of each by name (any other id can be typed); asked once a visit. */
export function suggestions() {
  suggested ??= Promise.all([
    get('/actors', { limit: 100, sort: 'name' }),
    get('/topics', { limit: 100, sort: 'name' }),
    get('/events', { limit: 100, sort: '-startDate' }),
    get('/sources', { limit: 100, sort: '-publishedOn' }),
    vocab(),
  ]).then(([actors, topics, events, sources, vocabularies]) => ({
    actors: actors.data,
    topics: topics.data,
    events: events.data,
    sources: sources.data,
    acts: vocabularies.acts,
  }));
  suggested.catch(() => {
    suggested = undefined;
  });
  return suggested;
}

/**
 * The statement filter form. Submitting it navigates to `view` with the filled fields in the URL, so the
 * filtered page can be shared, reloaded and left with the back button. `extra` adds fields (the trend's "by").
 */
export async function filterForm(view, params, { extra = [], submitLabel = 'Apply filters' } = {}) {
  const s = await suggestions();
  const value = (n) => params.get(n) ?? '';
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    h(
      'div',
      { class: 'field wide' },
      h('label', { for: 'f-q' }, 'Words'),
      h('input', { id: 'f-q', name: 'q', type: 'search', value: value('q'), maxlength: 500 }),
    ),
    extra,
    idInput('speaker', 'Speaker', value('speaker'), s.actors),
    idInput('topic', 'Topic (with its subtopics)', value('topic'), s.topics),
    selectInput('kind', 'Kind', value('kind'), [
      ['quote', 'quote'],
      ['paraphrase', 'paraphrase'],
    ]),
    selectInput(
      'act',
      'Act',
      value('act'),
      s.acts.map((a) => [a.id, a.label]),
    ),
    dateInput('from', 'From', value('from')),
    dateInput('to', 'To', value('to')),
    idInput('event', 'Event', value('event'), s.events),
    idInput('source', 'Source', value('source'), s.sources),
    // Filters the form does not show (reached from a statement or an actor page) are kept.
    ['onBehalfOf', 'addressee', 'respondsTo', 'language']
      .filter((n) => params.get(n))
      .map((n) => h('input', { type: 'hidden', name: n, value: params.get(n) })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, submitLabel), h('a', { href: href(view) }, 'Clear')),
  );
  return submitsTo(form, view);
}

/** Submitting the form navigates to `view` with its filled fields (trimmed) as the query. */
export function submitsTo(form, view) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = {};
    for (const [name, v] of new FormData(form)) if (String(v).trim() !== '') query[name] = String(v).trim();
    location.hash = href(view, query);
  });
  return form;
}

/** Today as YYYY-MM-DD (UTC). */
export const today = () => new Date().toISOString().slice(0, 10);

/** A camelCase kind in words: "pressRelease" → "press release". */
export const kindWords = (kind) => kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

/** The period a position is held: "4 April 2024 – still held". */
export const held = (p) => [date(p.validFrom), ' – ', p.validTo ? date(p.validTo) : 'still held'];

/** A wide table in a region that scrolls sideways and can be reached by keyboard. */
export const scrollRegion = (label, table) => h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label }, table);

/** Names for the speakers of statements that were listed without expand. */
export async function speakersOf(statements) {
  return byIds(
    'actors',
    statements.map((s) => s.speakerId),
  );
}

/** A comma list of linked names. */
export function namesList(kind, ids, records) {
  return joined(ids.map((id) => link(`${kind}/${id}`, null, bdi(records.get(id)?.name ?? id))));
}
