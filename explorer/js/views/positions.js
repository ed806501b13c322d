// Positions: the actor × topic stance matrix on a date, one position with its evidence, and an actor's
// stance on a topic over time drawn as a timeline with the evidence along it.
import { byIds, get } from '../api.js';
import { held, idInput, scrollRegion, speakersOf, stanceBadge, statementText, submitsTo, suggestions, today } from '../components.js';
import { bdi, date, details, h, href, joined, link, muted, plural, section, svg } from '../dom.js';

/** The most rows and columns the matrix shows at once; past them, the busiest are shown and the rest filtered for. */
const MAX_ACTORS = 40;
const MAX_TOPICS = 25;

/** The ids with the most cells first (then in the API's order), at most `max` of them. */
function busiest(ids, cells, key, max) {
  if (ids.length <= max) return ids;
  const count = new Map(ids.map((id) => [id, 0]));
  for (const c of cells) count.set(c[key], (count.get(c[key]) ?? 0) + 1);
  const shown = new Set([...ids].sort((a, b) => count.get(b) - count.get(a)).slice(0, max));
  return ids.filter((id) => shown.has(id));
}

export async function matrixView({ params }) {
  const asOf = params.get('asOf') || today();
  const actorFilter = params.get('actor') ?? undefined;
  const topicFilter = params.get('topic') ?? undefined;
  const [matrix, suggested] = await Promise.all([get('/stats/stances', { asOf, actor: actorFilter, topic: topicFilter }), suggestions()]);
  const actorIds = busiest(matrix.actors, matrix.cells, 'actorId', MAX_ACTORS);
  const topicIds = busiest(matrix.topics, matrix.cells, 'topicId', MAX_TOPICS);
  const [actors, topics] = await Promise.all([byIds('actors', actorIds), byIds('topics', topicIds)]);
  const cells = new Map(matrix.cells.map((c) => [`${c.actorId} ${c.topicId}`, c]));
  const name = (records, id) => records.get(id)?.name ?? id;

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Matrix date and filters' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'as-of' }, 'Stances held on'),
      h('input', { id: 'as-of', name: 'asOf', type: 'date', value: asOf, required: true }),
    ),
    idInput('actor', 'Actors', actorFilter, suggested.actors),
    idInput('topic', 'Topics (with their subtopics)', topicFilter, suggested.topics),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show')),
  );
  submitsTo(form, 'positions');
  const truncated =
    actorIds.length < matrix.actors.length || topicIds.length < matrix.topics.length
      ? h(
          'p',
          { class: 'muted' },
          `Showing the ${plural(actorIds.length, 'actor')} and ${plural(topicIds.length, 'topic')} with the most positions, of ${matrix.actors.length} and ${matrix.topics.length}: filter by actor or topic to see others.`,
        )
      : null;

  const table =
    matrix.cells.length === 0
      ? muted(`No position was held on ${asOf}.`)
      : scrollRegion(
          'Stance matrix (scrolls sideways)',
          h(
            'table',
            { class: 'matrix' },
            h('caption', null, 'Who stood where on ', date(asOf), ': each cell opens the position and its evidence'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, 'Actor'),
                topicIds.map((t) => h('th', { scope: 'col' }, link(`topic/${t}`, null, bdi(name(topics, t))))),
              ),
            ),
            h(
              'tbody',
              null,
              actorIds.map((a) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, link(`actor/${a}`, null, bdi(name(actors, a)))),
                  topicIds.map((t) => {
                    const cell = cells.get(`${a} ${t}`);
                    if (!cell) return h('td', { class: 'empty' }, h('span', { 'aria-label': 'no position' }, '—'));
                    return h(
                      'td',
                      null,
                      h(
                        'a',
                        {
                          href: href(`position/${cell.positionId}`),
                          class: `cell stance-${cell.stance}`,
                          title: cell.summary,
                          'aria-label': `${name(actors, a)} ${cell.stance} ${name(topics, t)}`,
                        },
                        cell.stance,
                      ),
                    );
                  }),
                ),
              ),
            ),
          ),
        );

  const content = [
    h('h1', null, 'Positions'),
    h('details', { class: 'filter-box', open: true }, h('summary', null, 'Date and filters'), form),
    actorFilter || topicFilter ? h('p', null, link('positions', { asOf }, 'Show every actor and topic')) : null,
    truncated,
    table,
    legend(),
    section('A stance over time', timelinePicker(actorIds, topicIds, actors, topics, params)),
  ];
  return { title: 'Positions', content };
}

function legend() {
  return h(
    'p',
    { class: 'legend muted' },
    'Stances: ',
    joined(['supports', 'opposes', 'mixed', 'neutral', 'unclear'].map(stanceBadge), ' '),
  );
}

function timelinePicker(actorIds, topicIds, actors, topics, params) {
  const select = (name, label, ids, records) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `tl-${name}` }, label),
      h(
        'select',
        { id: `tl-${name}`, name, required: true },
        ids.map((id) => h('option', { value: id, selected: params.get(name) === id }, records.get(id)?.name ?? id)),
      ),
    );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Timeline' },
    select('actor', 'Actor', actorIds, actors),
    select('topic', 'Topic', topicIds, topics),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show the timeline')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = href('timeline', { actor: data.get('actor'), topic: data.get('topic') });
  });
  return actorIds.length ? form : muted('Pick a date on which positions were held.');
}

export async function positionView({ id }) {
  const p = await get(`/positions/${id}`, { expand: 'actor,topic,evidence' });
  const statements = p.evidence.map((e) => e.statement).filter(Boolean);
  const speakers = await speakersOf(statements);
  const actorName = p.actor?.name ?? p.actorId;
  const topicName = p.topic?.name ?? p.topicId;
  const content = [
    h('p', { class: 'crumbs' }, link('positions', null, 'Positions'), ' › ', h('span', null, id)),
    h('h1', null, bdi(actorName), ' ', stanceBadge(p.stance), ' ', bdi(topicName)),
    h('p', { class: 'lead', dir: 'auto' }, p.summary),
    details([
      ['Held by', link(`actor/${p.actorId}`, null, bdi(actorName))],
      ['Topic', link(`topic/${p.topicId}`, null, bdi(topicName))],
      ['Held', held(p)],
      ['First stated', date(p.firstStatedOn)],
      ['Last reaffirmed', date(p.lastReaffirmedOn)],
    ]),
    h('p', null, link('timeline', { actor: p.actorId, topic: p.topicId }, `${actorName} on ${topicName} over time →`)),
    section(
      'Evidence',
      h('p', { class: 'muted' }, plural(p.statementCount, 'statement'), ', in date order'),
      evidenceList(p.evidence, speakers),
    ),
  ];
  return { title: `${actorName} on ${topicName}`, content };
}

function evidenceList(evidence, speakers) {
  return h(
    'ol',
    { class: 'cards' },
    evidence.map((e) =>
      h(
        'li',
        null,
        h(
          'article',
          { class: 'card statement' },
          h('p', { class: 'meta' }, date(e.statedOn), ' · ', relationLabel(e)),
          e.statement ? statementText(e.statement) : null,
          h(
            'p',
            { class: 'meta' },
            e.statement
              ? [
                  link(`actor/${e.statement.speakerId}`, null, bdi(speakers.get(e.statement.speakerId)?.name ?? e.statement.speakerId)),
                  ' · ',
                ]
              : null,
            h('a', { href: href(`statement/${e.statementId}`), 'aria-label': `Open the statement ${e.statementId}` }, 'Open the statement'),
          ),
        ),
      ),
    ),
  );
}

export async function timelineView({ params }) {
  const actorId = params.get('actor');
  const topicId = params.get('topic');
  if (!actorId || !topicId) {
    return {
      title: 'Timeline',
      content: [
        h('h1', null, 'Timeline'),
        muted('Pick an actor and a topic on the Positions page.'),
        h('p', null, link('positions', null, 'Positions')),
      ],
    };
  }
  const [page, actors, topics] = await Promise.all([
    get('/positions', { actor: actorId, topic: topicId, limit: 100, expand: 'evidence' }),
    byIds('actors', [actorId]),
    byIds('topics', [topicId]),
  ]);
  // The topic filter takes in subtopics; the timeline is of this topic alone, as periods never overlap only there.
  const periods = page.data.filter((p) => p.topicId === topicId);
  const actorName = actors.get(actorId)?.name ?? actorId;
  const topicName = topics.get(topicId)?.name ?? topicId;
  const content = [
    h('p', { class: 'crumbs' }, link('positions', null, 'Positions'), ' › Timeline'),
    h('h1', null, bdi(actorName), ' on ', bdi(topicName), ' over time'),
    periods.length === 0 ? muted('No recorded position.') : [timelineChart(periods, actorName, topicName), periodList(periods)],
    h('p', null, link(`actor/${actorId}`, null, 'About ', bdi(actorName)), ' · ', link(`topic/${topicId}`, null, 'About ', bdi(topicName))),
  ];
  return { title: `${actorName} on ${topicName}`, content };
}

const DAY = 86_400_000;
const time = (iso) => Date.parse(`${iso}T00:00:00Z`);

/** Periods as bands coloured and labelled by stance; each piece of evidence a mark on the line below. */
function timelineChart(periods, actorName, topicName) {
  const dates = periods.flatMap((p) => [p.validFrom, p.validTo, ...p.evidence.map((e) => e.statedOn)]).filter(Boolean);
  const openEnded = periods.some((p) => p.validTo === null);
  const start = Math.min(...dates.map(time)) - 15 * DAY;
  const end = Math.max(...dates.map(time), openEnded ? Date.now() : 0) + 15 * DAY;
  const width = 800;
  const left = 10;
  const right = 790;
  const x = (t) => left + ((t - start) / (end - start)) * (right - left);

  const ticks = [];
  for (let year = new Date(start).getUTCFullYear() + 1; Date.UTC(year, 0, 1) < end; year++) ticks.push(year);
  const label = `${actorName} on ${topicName}: ${periods.map((p) => `${p.stance} from ${p.validFrom}${p.validTo ? ` to ${p.validTo}` : ' on'}`).join('; ')}`;

  return h(
    'figure',
    { class: 'timeline' },
    svg(
      'svg',
      // A group, not an img: its evidence dots are links.
      { viewBox: `0 0 ${width} 130`, role: 'group', 'aria-label': label, class: 'chart' },
      ticks.map((year) =>
        svg(
          'g',
          { class: 'tick' },
          svg('line', { x1: x(Date.UTC(year, 0, 1)), x2: x(Date.UTC(year, 0, 1)), y1: 10, y2: 105 }),
          svg('text', { x: x(Date.UTC(year, 0, 1)) + 4, y: 122 }, String(year)),
        ),
      ),
      periods.map((p) => {
        const from = x(time(p.validFrom));
        const to = x(p.validTo ? time(p.validTo) : Date.now());
        return svg(
          'g',
          { class: `period stance-${p.stance}` },
          svg(
            'rect',
            { x: from, y: 20, width: Math.max(2, to - from), height: 40, rx: 4 },
            svg('title', null, `${p.stance}: ${p.validFrom} – ${p.validTo ?? 'still held'}. ${p.summary}`),
          ),
          to - from > 70 ? svg('text', { x: from + 6, y: 45 }, p.stance) : null,
        );
      }),
      svg('line', { class: 'axis', x1: left, x2: right, y1: 85, y2: 85 }),
      periods.flatMap((p) =>
        p.evidence
          .filter((e) => e.statedOn)
          .map((e) =>
            svg(
              'a',
              { href: href(`statement/${e.statementId}`), 'aria-label': `${e.relation}, ${e.statedOn}` },
              svg(
                'circle',
                { class: `mark relation-${e.relation}`, cx: x(time(e.statedOn)), cy: 85, r: 7 },
                svg('title', null, `${e.statedOn}: ${e.relation}`),
              ),
            ),
          ),
      ),
    ),
    h(
      'figcaption',
      { class: 'muted' },
      'Bands: the stance held over each period. Dots: the statements that evidence it (each opens the statement).',
    ),
  );
}

function periodList(periods) {
  return h(
    'ol',
    { class: 'periods' },
    periods.map((p) =>
      h(
        'li',
        null,
        h('h2', null, stanceBadge(p.stance), ' ', held(p)),
        h('p', { dir: 'auto' }, p.summary, ' ', link(`position/${p.id}`, null, 'The position')),
        h(
          'ol',
          { class: 'evidence' },
          p.evidence.map((e) =>
            h(
              'li',
              null,
              date(e.statedOn),
              ' · ',
              relationLabel(e),
              ': ',
              e.statement
                ? link(`statement/${e.statementId}`, null, h('span', { dir: 'auto' }, truncate(e.statement.text, 160)))
                : link(`statement/${e.statementId}`, null, e.statementId),
            ),
          ),
        ),
      ),
    ),
  );
}

/** How a piece of evidence bears on its position (states, hardens, softens…), coloured by relation. */
const relationLabel = (e) => h('span', { class: `relation relation-${e.relation}` }, e.relation);

const truncate = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
