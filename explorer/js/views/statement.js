// A statement with its provenance: the words, who and when, the question it answered, where it is
// reported, what it replies to and what replies to it, the positions it evidences, and its history.
import { get, getOrMissing, vocab } from '../api.js';
import { kindWords, namesList, stanceBadge, statementList, statementText } from '../components.js';
import { bdi, date, details, h, joined, link, muted, plural, safeUrl, section } from '../dom.js';

export async function statementView({ id }) {
  const s = await get(`/statements/${id}`, { expand: 'speaker,onBehalfOf,event,sources,topics,addressees' });
  const replyTo = s.respondsToIds ?? [];
  const [repliedTo, replies, evidenced, revisions, vocabularies] = await Promise.all([
    Promise.all(replyTo.map((other) => getOrMissing(`/statements/${other}`, { expand: 'speaker,event' }))),
    get('/statements', { respondsTo: id, limit: 50, expand: 'speaker,event' }),
    get('/positions', { evidence: id, limit: 100, expand: 'actor,topic' }),
    get(`/statements/${id}/revisions`, { limit: 100 }),
    vocab(),
  ]);
  const actLabels = new Map(vocabularies.acts.map((a) => [a.id, a.label]));
  const speakerName = s.speaker?.name ?? s.speakerId;
  const addressees = new Map((s.addressees ?? []).map((a) => [a.id, a]));
  const topics = new Map((s.topics ?? []).map((t) => [t.id, t]));

  const content = [
    h('p', { class: 'crumbs' }, link('statements', null, 'Statements'), ' › ', h('span', null, id)),
    h('h1', null, 'What ', bdi(speakerName), ' said'),
    h(
      'article',
      { class: 'statement-full' },
      statementText(s),
      h('p', { class: 'kind-note muted' }, s.kind === 'quote' ? 'Verbatim quote' : 'Paraphrase: reported speech, not the exact words'),
    ),
    details([
      [
        'Said by',
        [link(`actor/${s.speakerId}`, null, bdi(speakerName)), s.speakerRole ? [', ', h('span', { dir: 'auto' }, s.speakerRole)] : null],
      ],
      ['On behalf of', s.onBehalfOfId ? link(`actor/${s.onBehalfOfId}`, null, bdi(s.onBehalfOf?.name ?? s.onBehalfOfId)) : null],
      ['Date', date(s.statedOn)],
      [
        'Event',
        s.event
          ? [
              h('span', { dir: 'auto' }, s.event.title),
              s.event.location ? [' — ', h('span', { dir: 'auto' }, s.event.location)] : null,
              ' (',
              link('statements', { event: s.event.id }, 'its statements'),
              ')',
            ]
          : null,
      ],
      ['In reply to', s.context ? h('p', { dir: 'auto', class: 'context' }, s.context) : null],
      ['Addressed to', s.addresseeIds.length ? namesList('actor', s.addresseeIds, addressees) : null],
      ['Topics', s.topicIds.length ? namesList('topic', s.topicIds, topics) : null],
      ['Acts', s.acts.length ? joined(s.acts.map((a) => h('span', null, actLabels.get(a) ?? a))) : null],
      ['Language', s.language],
    ]),
    section('Reported in', sourcesList(s)),
    section(
      'Responds to',
      repliedTo.length === 0
        ? muted('It is not recorded as replying to another statement.')
        : statementList(repliedTo.map((r, i) => r ?? missing(replyTo[i]))),
    ),
    section(
      'Responses',
      replies.data.length === 0 ? muted('No statement is recorded as replying to it.') : statementList(replies.data),
      replies.nextCursor ? h('p', null, link('statements', { respondsTo: id }, 'All responses →')) : null,
    ),
    section('Evidence for positions', positionsList(evidenced.data, id)),
    section('History', revisionList(revisions.data)),
  ];
  return { title: `Statement by ${speakerName}`, content };
}

/** A reply target that has since been deleted still shows its id. */
const missing = (id) => ({ id, text: `(statement ${id} is no longer recorded)`, kind: 'paraphrase', speakerId: 'unknown', statedOn: null });

function sourcesList(s) {
  const sources = s.sources ?? s.sourceIds.map((id) => ({ id, title: id }));
  return h(
    'ul',
    { class: 'sources' },
    sources.map((source) => {
      const url = source.url ? safeUrl(source.url) : null;
      return h(
        'li',
        null,
        h(
          'p',
          { class: 'source-title' },
          url
            ? h(
                'a',
                { href: url, rel: 'noopener noreferrer', target: '_blank' },
                h('cite', { dir: 'auto' }, source.title),
                h('span', { class: 'visually-hidden' }, ' (opens the original)'),
              )
            : h('cite', { dir: 'auto' }, source.title),
        ),
        h(
          'p',
          { class: 'meta' },
          joined(
            [
              source.publisher ? h('span', { dir: 'auto' }, source.publisher) : null,
              source.author ? ['by ', bdi(source.author)] : null,
              source.publishedOn ? date(source.publishedOn) : null,
              source.kind ? h('span', null, kindWords(source.kind)) : null,
            ].filter(Boolean),
            ' · ',
          ),
          ' · ',
          link('statements', { source: source.id }, 'statements it reports'),
        ),
        inPlace(source.text, s.text),
      );
    }),
  );
}

/** Where the source carries its full text and the words appear in it: the passage, the words marked. */
function inPlace(sourceText, words) {
  if (typeof sourceText !== 'string') return null;
  const at = sourceText.indexOf(words);
  if (at < 0) return null;
  const before = sourceText.slice(Math.max(0, at - 200), at);
  const after = sourceText.slice(at + words.length, at + words.length + 200);
  return h('blockquote', { class: 'in-place', dir: 'auto' }, h('p', null, at > 200 ? '…' : '', before, h('mark', null, words), after, '…'));
}

function positionsList(positions, statementId) {
  if (positions.length === 0) return muted('It is not cited as evidence of a position.');
  return h(
    'ul',
    { class: 'plain' },
    positions.map((p) => {
      const relation = p.evidence.find((e) => e.statementId === statementId)?.relation;
      return h(
        'li',
        null,
        link(`position/${p.id}`, null, bdi(p.actor?.name ?? p.actorId), ' ', stanceBadge(p.stance), ' ', bdi(p.topic?.name ?? p.topicId)),
        relation ? h('span', { class: 'muted' }, ` — this statement ${relation} it`) : null,
        ' · ',
        link('timeline', { actor: p.actorId, topic: p.topicId }, 'timeline'),
      );
    }),
  );
}

function revisionList(revisions) {
  if (revisions.length === 0) return muted('No recorded changes.');
  return h(
    'ol',
    { class: 'history' },
    revisions.map((r, i) => {
      const previous = revisions[i - 1]?.state;
      const changed =
        previous && r.state
          ? Object.keys(r.state).filter(
              (k) => !['updatedAt', 'version', 'createdAt'].includes(k) && JSON.stringify(r.state[k]) !== JSON.stringify(previous[k]),
            )
          : [];
      return h(
        'li',
        null,
        h('strong', null, `Version ${r.version}`),
        ` — ${r.operation === 'create' ? 'recorded' : r.operation === 'delete' ? 'deleted' : 'changed'}`,
        r.at ? [' on ', date(r.at.slice(0, 10))] : null,
        changed.length ? h('span', { class: 'muted' }, ` (${plural(changed.length, 'field')}: ${changed.join(', ')})`) : null,
      );
    }),
  );
}
