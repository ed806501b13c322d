// An actor and a topic: who or what it is, its statements, its positions.
import { get, getOrMissing, remember } from '../api.js';
import { held, kindWords, scrollRegion, stanceBadge, statementList } from '../components.js';
import { bdi, details, h, joined, link, muted, plural, section } from '../dom.js';

export async function actorView({ id }) {
  const actor = await get(`/actors/${id}`);
  const [parent, members, said, positions] = await Promise.all([
    actor.parentId ? getOrMissing(`/actors/${actor.parentId}`) : undefined,
    get('/actors', { parent: id, limit: 100, sort: 'name' }),
    get('/statements', { speaker: id, limit: 10, count: true, expand: 'speaker,event' }),
    get('/positions', { actor: id, limit: 100, sort: '-validFrom', expand: 'topic' }),
  ]);
  remember('actors', [actor, parent, ...members.data]);
  const content = [
    h('p', { class: 'crumbs' }, 'Actor'),
    h('h1', null, bdi(actor.name)),
    actor.description ? h('p', { class: 'lead', dir: 'auto' }, actor.description) : null,
    details([
      ['Kind', kindWords(actor.kind)],
      ['Country', actor.countryCode],
      ['Part of', parent ? link(`actor/${parent.id}`, null, bdi(parent.name)) : actor.parentId],
      ['Also called', actor.aliases.length ? joined(actor.aliases.map((a) => bdi(a))) : null],
      ['Members', members.data.length ? joined(members.data.map((m) => link(`actor/${m.id}`, null, bdi(m.name)))) : null],
    ]),
    section(
      'Statements',
      h(
        'p',
        null,
        `${plural(said.total, 'statement')} as speaker. `,
        link('statements', { speaker: id }, 'All of them'),
        ' · ',
        link('statements', { onBehalfOf: id }, 'said on its behalf'),
        ' · ',
        link('statements', { addressee: id }, 'addressed to it'),
        ' · ',
        link('trends', { speaker: id }, 'over time'),
      ),
      statementList(said.data),
    ),
    section('Positions', positionTable(positions.data, 'topic')),
  ];
  return { title: actor.name, content };
}

export async function topicView({ id }) {
  const topic = await get(`/topics/${id}`);
  const ancestors = [];
  for (let parentId = topic.parentId; parentId && ancestors.length < 20; ) {
    const parent = await getOrMissing(`/topics/${parentId}`);
    if (!parent) break;
    ancestors.unshift(parent);
    parentId = parent.parentId;
  }
  const [children, said, positions] = await Promise.all([
    get('/topics', { parent: id, limit: 100, sort: 'name' }),
    get('/statements', { topic: id, limit: 10, count: true, expand: 'speaker,event' }),
    get('/positions', { topic: id, limit: 100, sort: '-validFrom', expand: 'actor,topic' }),
  ]);
  remember('topics', [topic, ...ancestors, ...children.data]);
  const content = [
    h(
      'p',
      { class: 'crumbs' },
      'Topic',
      ancestors.map((a) => [' › ', link(`topic/${a.id}`, null, bdi(a.name))]),
    ),
    h('h1', null, bdi(topic.name)),
    topic.description ? h('p', { class: 'lead', dir: 'auto' }, topic.description) : null,
    details([
      ['Also called', topic.aliases.length ? joined(topic.aliases.map((a) => bdi(a))) : null],
      ['Subtopics', children.data.length ? joined(children.data.map((c) => link(`topic/${c.id}`, null, bdi(c.name)))) : null],
    ]),
    section(
      'Positions',
      positionTable(positions.data, 'actor'),
      h('p', null, link('positions', { topic: id }, 'The stance matrix on this topic')),
    ),
    section(
      'Statements',
      h(
        'p',
        null,
        `${plural(said.total, 'statement')}, its subtopics included. `,
        link('statements', { topic: id }, 'All of them'),
        ' · ',
        link('trends', { topic: id }, 'over time'),
      ),
      statementList(said.data),
    ),
  ];
  return { title: topic.name, content };
}

/** Positions as a table: the other side (the topic on an actor's page, the actor on a topic's), the stance, the period. */
function positionTable(positions, other) {
  if (positions.length === 0) return muted('No recorded position.');
  return scrollRegion(
    'Positions',
    h(
      'table',
      { class: 'positions' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, other === 'topic' ? 'Topic' : 'Actor'),
          other === 'actor' ? h('th', { scope: 'col' }, 'Topic') : null,
          h('th', { scope: 'col' }, 'Stance'),
          h('th', { scope: 'col' }, 'Held'),
          h('th', { scope: 'col' }, 'Evidence'),
        ),
      ),
      h(
        'tbody',
        null,
        positions.map((p) =>
          h(
            'tr',
            null,
            other === 'topic'
              ? h('th', { scope: 'row' }, link(`topic/${p.topicId}`, null, bdi(p.topic?.name ?? p.topicId)))
              : [
                  h('th', { scope: 'row' }, link(`actor/${p.actorId}`, null, bdi(p.actor?.name ?? p.actorId))),
                  h('td', null, bdi(p.topic?.name ?? p.topicId)),
                ],
            h('td', null, link(`position/${p.id}`, null, stanceBadge(p.stance))),
            h('td', null, held(p)),
            h('td', null, link('timeline', { actor: p.actorId, topic: p.topicId }, plural(p.statementCount, 'statement'), ', timeline')),
          ),
        ),
      ),
    ),
  );
}
