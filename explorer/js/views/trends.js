// Trends: statements per month by topic or by speaker, under the same filters as the list, drawn as SVG
// bars with the numbers in a table beside it.
import { ApiError, byIds, get, refused } from '../api.js';
import { filterForm, pick, STATEMENT_FILTERS, scrollRegion } from '../components.js';
import { bdi, h, link, monthLabel, muted, plural, svg } from '../dom.js';

const SERIES = 6;

export async function trendsView({ params }) {
  const by = params.get('by') === 'speaker' ? 'speaker' : 'topic';
  const filters = pick(params, STATEMENT_FILTERS);
  const bySelect = h(
    'div',
    { class: 'field' },
    h('label', { for: 'f-by' }, 'Lines by'),
    h(
      'select',
      { id: 'f-by', name: 'by' },
      h('option', { value: 'topic', selected: by === 'topic' }, 'topic'),
      h('option', { value: 'speaker', selected: by === 'speaker' }, 'speaker'),
    ),
  );
  const form = await filterForm('trends', params, { extra: [bySelect], submitLabel: 'Show' });
  const shown = await drawn(by, filters).catch(refused);
  const content = [
    h('h1', null, 'Trends'),
    h('details', { class: 'filter-box', open: true }, h('summary', null, 'Filters'), form),
    // Bad input (a malformed id or date) is said beside the form, so it can be corrected.
    shown instanceof ApiError ? h('p', { class: 'error', role: 'alert' }, shown.message) : shown,
    h('p', null, link('statements', filters, 'These statements →')),
  ];
  return { title: 'Trends', content };
}

/** The chart, its table and notes for the lines by topic or speaker under the filters. */
async function drawn(by, filters) {
  // The series are the busiest topics or speakers under the filters; each is then counted by month on its
  // own, a small answer each, where `topic,month` over a large archive would be every topic × every month.
  const [perMonth, ranking, within] = await Promise.all([
    get('/stats/statements', { ...filters, groupBy: 'month' }),
    // Ranked among dated statements only (a `from` far back leaves out the undated), as the chart shows those.
    get('/stats/statements', { ...filters, from: filters.from ?? '1000-01-01', groupBy: by }),
    // With a topic filter, lines by topic are drawn for topics inside it, so a line's own topic filter
    // keeps the statements to the ones the filter asks for.
    by === 'topic' && filters.topic ? get('/topics', { within: filters.topic, limit: 100 }) : undefined,
  ]);
  const allowed = within ? new Set(within.data.map((t) => t.id)) : undefined;
  const series = ranking.data
    .filter((c) => c[by] && (!allowed || allowed.has(c[by])))
    .slice(0, SERIES)
    .map((c) => c[by]);
  const [names, ...lines] = await Promise.all([
    byIds(by === 'topic' ? 'topics' : 'actors', series),
    ...series.map((id) => get('/stats/statements', { ...filters, [by]: id, groupBy: 'month' })),
  ]);
  const value = new Map(lines.flatMap((line, i) => line.data.filter((c) => c.month).map((c) => [`${series[i]} ${c.month}`, c.count])));
  const dated = perMonth.data.filter((c) => c.month);
  const undated = perMonth.data.find((c) => !c.month)?.count ?? 0;
  const months = monthRange(dated.map((c) => c.month));
  const totals = new Map(dated.map((c) => [c.month, c.count]));
  const nameOf = (id) => names.get(id)?.name ?? id;

  if (months.length === 0) return muted('No dated statement matches these filters.');
  return [
    chart(months, series, value, nameOf, by),
    table(months, series, value, totals, nameOf, by),
    undated ? muted(`${plural(undated, 'undated statement')} not shown.`) : null,
    by === 'topic' ? h('p', { class: 'muted small' }, 'A topic counts the statements on its subtopics too.') : null,
  ];
}

/** Every month from the first to the last, the empty ones included, so the axis is to scale. */
function monthRange(present) {
  if (present.length === 0) return [];
  const sorted = [...present].sort();
  const months = [];
  let [year, month] = sorted[0].split('-').map(Number);
  const last = sorted[sorted.length - 1];
  for (;;) {
    const m = `${year}-${String(month).padStart(2, '0')}`;
    months.push(m);
    if (m >= last || months.length > 600) break;
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

function chart(months, series, value, nameOf, by) {
  const width = 800;
  const height = 260;
  const top = 16;
  const bottom = 40;
  const left = 40;
  const max = Math.max(1, ...series.flatMap((s) => months.map((m) => value.get(`${s} ${m}`) ?? 0)));
  const y = (n) => height - bottom - (n / max) * (height - top - bottom);
  const group = (width - left - 10) / months.length;
  // Bars no wider than 48 units, so a single month does not read as a solid block.
  const bar = Math.min(48, Math.max(1, (group * 0.8) / Math.max(1, series.length)));
  const inset = (group - bar * series.length) / 2;
  const labelEvery = Math.ceil(months.length / 8);
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  const description = `Statements per month by ${by}, ${monthLabel(months[0])} to ${monthLabel(months[months.length - 1])}: ${series
    .map((s) => `${nameOf(s)} ${months.reduce((n, m) => n + (value.get(`${s} ${m}`) ?? 0), 0)}`)
    .join(', ')}`;
  return h(
    'figure',
    { class: 'trend' },
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': description, class: 'chart' },
      ticks.map((n) =>
        svg(
          'g',
          { class: 'tick' },
          svg('line', { x1: left, x2: width - 10, y1: y(n), y2: y(n) }),
          svg('text', { x: left - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)),
        ),
      ),
      months.map((m, i) =>
        svg(
          'g',
          null,
          series.map((s, j) => {
            const n = value.get(`${s} ${m}`) ?? 0;
            return n === 0
              ? null
              : svg(
                  'rect',
                  { class: `series-${j}`, x: left + i * group + inset + j * bar, y: y(n), width: bar, height: y(0) - y(n) },
                  svg('title', null, `${nameOf(s)}, ${monthLabel(m)}: ${n}`),
                );
          }),
          i % labelEvery === 0
            ? svg(
                'text',
                { class: 'month', x: left + i * group + group / 2, y: height - bottom + 18, 'text-anchor': 'middle' },
                monthLabel(m),
              )
            : null,
        ),
      ),
    ),
    h(
      'figcaption',
      null,
      h(
        'ul',
        { class: 'key' },
        series.map((s, j) => h('li', null, h('span', { class: `swatch series-${j}`, 'aria-hidden': 'true' }), bdi(nameOf(s)))),
      ),
    ),
  );
}

function table(months, series, value, totals, nameOf, by) {
  return scrollRegion(
    'Statements per month (table)',
    h(
      'table',
      { class: 'numbers' },
      h('caption', null, `Statements per month by ${by}`),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Month'),
          series.map((s) => h('th', { scope: 'col' }, link(`${by === 'topic' ? 'topic' : 'actor'}/${s}`, null, bdi(nameOf(s))))),
          h('th', { scope: 'col' }, 'All statements'),
        ),
      ),
      h(
        'tbody',
        null,
        months.map((m) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, monthLabel(m)),
            series.map((s) => h('td', null, String(value.get(`${s} ${m}`) ?? 0))),
            h('td', null, String(totals.get(m) ?? 0)),
          ),
        ),
      ),
    ),
  );
}
