// Statements: the filtered list, full-text search with highlighted snippets, paging by cursor, exports.
import { ApiError, apiUrl, get, refused } from '../api.js';
import { filterForm, pick, STATEMENT_FILTERS, statementList } from '../components.js';
import { h, href, plural } from '../dom.js';

export async function statementsView({ params }) {
  const filters = pick(params, STATEMENT_FILTERS);
  const cursor = params.get('cursor') ?? undefined;
  // The page size stays in the URL with the filters (the cursor is only valid with the same ones).
  const limit = /^(100|[1-9][0-9]?)$/.test(params.get('limit') ?? '') ? params.get('limit') : undefined;
  const [page, form] = await Promise.all([
    get('/statements', { ...filters, limit: limit ?? 20, cursor, expand: 'speaker,event' }).catch(refused),
    filterForm('statements', params),
  ]);
  if (page instanceof ApiError) {
    // A search the index cannot run or a malformed id: say why beside the form, so it can be corrected.
    return {
      title: 'Statements',
      content: [
        h('h1', null, filters.q ? 'Search' : 'Statements'),
        h('details', { class: 'filter-box', open: true }, h('summary', null, 'Filters'), form),
        h('p', { class: 'error', role: 'alert' }, page.message),
      ],
    };
  }

  // Counting every match can take longer than a page on a large archive: the list shows first and the
  // total arrives after, announced politely.
  const total = h('p', { class: 'total', role: 'status', 'aria-live': 'polite' }, 'Counting…');
  get('/statements', { ...filters, limit: 1, count: true }).then(
    (answer) => {
      total.textContent = `${plural(answer.total, 'statement')}${filters.q ? ' match' : ''}`;
    },
    () => {
      total.textContent = '';
    },
  );

  const paging = h(
    'nav',
    { class: 'paging', 'aria-label': 'Pages' },
    cursor ? h('a', { href: href('statements', { ...filters, limit }) }, '← First page') : null,
    page.nextCursor
      ? h('a', { href: href('statements', { ...filters, limit, cursor: page.nextCursor }), rel: 'next' }, 'Next page →')
      : null,
  );

  const content = [
    h('h1', null, filters.q ? 'Search' : 'Statements'),
    h(
      'details',
      { class: 'filter-box', open: Object.keys(filters).some((n) => n !== 'q') || !filters.q },
      h('summary', null, 'Filters'),
      form,
    ),
    h(
      'div',
      { class: 'summary' },
      total,
      h(
        'p',
        { class: 'exports' },
        'Export this filter: ',
        h('a', { href: apiUrl('/statements', { ...filters, format: 'csv' }), download: 'statements.csv' }, 'CSV'),
        ' · ',
        h('a', { href: apiUrl('/statements', { ...filters, format: 'ndjson' }), download: 'statements.ndjson' }, 'NDJSON'),
      ),
    ),
    statementList(page.data),
    paging,
  ];
  return { title: filters.q ? `Search: ${filters.q}` : 'Statements', content };
}
