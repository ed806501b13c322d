// Home: what the archive holds, the latest statements, who speaks most and on what.
import { byIds, get } from '../api.js';
import { statementList, today } from '../components.js';
import { bdi, h, href, link, plural, section } from '../dom.js';

export async function homeView() {
  const [kinds, actors, topics, sources, events, latest, bySpeaker, byTopic, stances] = await Promise.all([
    get('/stats/statements', { groupBy: 'kind' }),
    get('/actors', { limit: 1, count: true }),
    get('/topics', { limit: 1, count: true }),
    get('/sources', { limit: 1, count: true }),
    get('/events', { limit: 1, count: true }),
    get('/statements', { limit: 5, expand: 'speaker,event' }),
    get('/stats/statements', { groupBy: 'speaker' }),
    get('/stats/statements', { groupBy: 'topic' }),
    get('/stats/stances', { asOf: today() }),
  ]);
  const quotes = kinds.data.find((c) => c.kind === 'quote')?.count ?? 0;
  const topSpeakers = bySpeaker.data.slice(0, 5);
  const topTopics = byTopic.data.filter((c) => c.topic).slice(0, 5);
  const [speakerNames, topicNames] = await Promise.all([
    byIds(
      'actors',
      topSpeakers.map((c) => c.speaker),
    ),
    byIds(
      'topics',
      topTopics.map((c) => c.topic),
    ),
  ]);

  // A count links where its records can be browsed; actors, sources and events are reached from statements.
  const count = (n, one, to, many = `${one}s`) => {
    const inner = [h('strong', null, n.toLocaleString('en-GB')), ' ', n === 1 ? one : many];
    return h('li', null, to ? h('a', { href: to }, inner) : h('span', null, inner));
  };
  /** The busiest speakers or topics, each linked, with its number of statements. */
  const ranking = (counts, key, kind, names) =>
    h(
      'ol',
      { class: 'ranking' },
      counts.map((c) =>
        h(
          'li',
          null,
          link(`${kind}/${c[key]}`, null, bdi(names.get(c[key])?.name ?? c[key])),
          ' ',
          h('span', { class: 'muted' }, plural(c.count, 'statement')),
        ),
      ),
    );
  const content = [
    h('h1', null, 'What governments say, and where they stand'),
    h(
      'p',
      { class: 'lead' },
      'Statements by governments and officials, each with its speaker, date, the question it answered and where it is reported; and the positions they evidence.',
    ),
    section(
      'The archive',
      h(
        'ul',
        { class: 'counts' },
        count(kinds.total, 'statement', href('statements')),
        count(quotes, 'verbatim quote', href('statements', { kind: 'quote' })),
        count(stances.cells.length, 'position held today', href('positions'), 'positions held today'),
        count(actors.total, 'actor'),
        count(topics.total, 'topic', href('trends')),
        count(sources.total, 'source'),
        count(events.total, 'event'),
      ),
    ),
    h(
      'div',
      { class: 'columns' },
      section('Most active speakers', ranking(topSpeakers, 'speaker', 'actor', speakerNames)),
      section(
        'Most discussed topics',
        ranking(topTopics, 'topic', 'topic', topicNames),
        h('p', { class: 'muted small' }, 'A topic counts the statements on its subtopics too.'),
      ),
    ),
    section('Latest statements', statementList(latest.data), h('p', null, link('statements', null, 'All statements →'))),
  ];
  return { title: 'Home', content };
}
