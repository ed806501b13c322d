// The explorer's entry: a router over the URL's hash (#/view/id?filters), so every view can be shared,
// reloaded and left with the back button, while the server only ever serves `/`.
import { ApiError } from './api.js';
import { add, h } from './dom.js';
import { actorView, topicView } from './views/entities.js';
import { homeView } from './views/home.js';
import { matrixView, positionView, timelineView } from './views/positions.js';
import { statementView } from './views/statement.js';
import { statementsView } from './views/statements.js';
import { trendsView } from './views/trends.js';

const routes = [
  [/^$/, 'home', homeView],
  [/^statements$/, 'statements', statementsView],
  [/^statement\/([a-z0-9-]+)$/, 'statements', statementView],
  [/^positions$/, 'positions', matrixView],
  [/^position\/([a-z0-9-]+)$/, 'positions', positionView],
  [/^timeline$/, 'positions', timelineView],
  [/^trends$/, 'trends', trendsView],
  [/^actor\/([a-z0-9-]+)$/, null, actorView],
  [/^topic\/([a-z0-9-]+)$/, null, topicView],
];

const main = () => document.getElementById('main');
let rendering = 0;
let firstRender = true;

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [path = '', query = ''] = raw.split('?');
  return { path: decodeURIComponent(path).replace(/\/$/, ''), params: new URLSearchParams(query) };
}

async function render() {
  const ticket = ++rendering;
  const { path, params } = parseHash();
  const route = routes.find(([pattern]) => pattern.test(path));
  const target = main();
  target.setAttribute('aria-busy', 'true');
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    if (route && a.dataset.view === route[1]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const search = document.getElementById('search-q');
  if (document.activeElement !== search) search.value = path === 'statements' ? (params.get('q') ?? '') : '';

  let content;
  let title;
  try {
    if (!route) throw new ApiError(404, { title: 'Not found', detail: `The explorer has no page at #/${path}.` });
    const match = path.match(route[0]);
    const view = await route[2]({ id: match[1], params });
    content = view.content;
    title = view.title;
  } catch (error) {
    title = error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong';
    content = [
      h('h1', { tabindex: '-1' }, title),
      h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
      h('p', null, h('a', { href: '#/' }, 'Back to the start')),
    ];
    if (!(error instanceof ApiError)) console.error(error);
  }
  // A later navigation overtook this one: its page wins.
  if (ticket !== rendering) return;
  target.replaceChildren();
  add(target, [content]);
  target.removeAttribute('aria-busy');
  document.title = `${title} — Diplomatic Statements`;
  // After a navigation, move focus to the new page's heading so keyboard and screen-reader users start
  // there; not on the first load, where Tab should lead to the search box from the top.
  if (!firstRender) {
    const heading = target.querySelector('h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  firstRender = false;
  // Which hash the page shows, for tests and tools that wait for a view.
  document.body.dataset.ready = location.hash || '#/';
}

function start() {
  document.getElementById('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = document.getElementById('search-q').value.trim();
    location.hash = q ? `#/statements?${new URLSearchParams({ q })}` : '#/statements';
  });
  // The skip link targets the main landmark without becoming a route.
  document.getElementById('skip').addEventListener('click', (event) => {
    event.preventDefault();
    main().focus();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === '' || location.hash.startsWith('#/')) render();
  });
  render();
}

start();
