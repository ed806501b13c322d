// Queries over positions: the list, the derived evidence fields, the timeline rule, and the store.
import { and, gt, inArray, isNull, lte, or } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { applyExpansions } from '../../lib/expand.js';
import { anyOf, type ListQuery } from '../../lib/pagination.js';
import { POSITION_EXPANSIONS, type Position, type PositionFieldValues } from '../../modules/positions/positions.schema.js';
import { actorStore } from './actors.queries.js';
import type { Db } from './client.js';
import { byKeys, IN_KEYS, type LinkTable, linkedTo, now, prepared } from './records.js';
import { type Author, keepSupersededState, recordRevision } from './revision-log.js';
import { statementStore } from './statements.queries.js';
import { listRecords, revisionState, rowOf, rowsByIds, type Store, stripMeta, writeRow } from './store.js';
import { actors } from './tables/actors.table.js';
import { positionEvidence, positions } from './tables/positions.table.js';
import { statements } from './tables/statements.table.js';
import { topics } from './tables/topics.table.js';
import { topicsUnder } from './topics.ancestry.js';
import { topicStore } from './topics.queries.js';

type PositionRow = typeof positions.$inferSelect;
type EvidenceItem = Position['evidence'][number];

/**
 * Evidence of a page of positions in one query (prepared once), each list in date order (undated last),
 * with the derived fields. Records are built field by field, as statements are (see their hydrate): copies
 * with rest and spread are measurably slower per row (docs/performance.md, Reads).
 */
function hydrate(db: Db, rows: PositionRow[]): Position[] {
  const byPosition = new Map<string, EvidenceItem[]>(rows.map((r) => [r.id, []]));
  if (rows.length > 0) {
    const [statement, keys] = byKeys(
      db,
      `SELECT e."position_id", e."statement_id", e."relation", s."stated_on" FROM "position_evidence" e
        JOIN "statements" s ON s."id" = e."statement_id"
        WHERE e."position_id" ${IN_KEYS}
        ORDER BY e."position_id", s."stated_on" IS NULL, s."stated_on", e."ord"`,
      rows.map((r) => r.id),
    );
    const evidence = statement.raw().all(keys) as [string, string, EvidenceItem['relation'], string | null][];
    for (const [positionId, statementId, relation, statedOn] of evidence) {
      byPosition.get(positionId)?.push({ statementId, relation, statedOn });
    }
  }
  return rows.map((r): Position => {
    const evidence = byPosition.get(r.id) ?? [];
    let first: string | null = null;
    let last: string | null = null;
    for (const e of evidence) {
      if (e.statedOn === null) continue;
      first ??= e.statedOn;
      last = e.statedOn;
    }
    return {
      id: r.id,
      actorId: r.actorId,
      topicId: r.topicId,
      stance: r.stance,
      summary: r.summary,
      validFrom: r.validFrom,
      validTo: r.validTo,
      evidence,
      firstStatedOn: first,
      lastReaffirmedOn: last,
      statementCount: evidence.length,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      version: r.version,
    };
  });
}

export const positionStore: Store<PositionFieldValues, Position> = {
  collection: 'positions',
  table: positions,
  blank: BLANKS.positions,
  getMany: (db, ids) => hydrate(db, rowsByIds(db, positions, ids)),
  fieldsOf(record) {
    const { firstStatedOn: _f, lastReaffirmedOn: _l, statementCount: _c, evidence, ...fields } = stripMeta(record);
    return { ...fields, evidence: evidence.map(({ statementId, relation }) => ({ statementId, relation })) };
  },
  // Ids are slugs: comparing code units orders them as well as localeCompare, and far faster.
  canonical: (fields) => ({
    ...fields,
    evidence: [...fields.evidence].sort((a, b) => (a.statementId < b.statementId ? -1 : a.statementId > b.statementId ? 1 : 0)),
  }),
  // Statements prepared once: an import writes positions one at a time, often thousands.
  write(db, id, { evidence, ...fields }, meta, existing) {
    writeRow(db, positions, rowOf(fields, meta), existing !== undefined);
    // A new position has no evidence rows to delete (deleting a position cascades to them).
    if (existing) prepared(db, 'DELETE FROM "position_evidence" WHERE "position_id" = ?').run(id);
    const insert = prepared(db, 'INSERT INTO "position_evidence" ("position_id", "statement_id", "relation", "ord") VALUES (?, ?, ?, ?)');
    for (const [ord, e] of evidence.entries()) insert.run(id, e.statementId, e.relation, ord);
  },
  references: (f) => [
    { path: '/actorId', table: actors, id: f.actorId },
    { path: '/topicId', table: topics, id: f.topicId },
    ...f.evidence.map((e, i) => ({ path: `/evidence/${i}/statementId`, table: statements, id: e.statementId })),
  ],
  derive: derivedStart,
  resolveImported: impliedEnd,
  check: checkTimeline,
  referrers: [],
};

/**
 * A position left without validFrom starts on the date of its first dated evidence, or at an unknown date
 * (null) when its evidence is undated: a period should not claim a start its evidence does not show. An
 * explicit validFrom is kept as given, since the start may be known from outside the recorded evidence (a
 * reiteration whose first statement is not on record) and evidence dates can change after the position is
 * written; the seed keeps to the rule (test/seed.test.ts). Unknown statements give no date here: the
 * reference check names them.
 */
function derivedStart(db: Db, f: PositionFieldValues): PositionFieldValues {
  if (f.validFrom !== undefined) return f;
  const [statement, keys] = byKeys(
    db,
    `SELECT min("stated_on") FROM "statements" WHERE "id" ${IN_KEYS}`,
    (f.evidence ?? []).map((e) => e.statementId),
  );
  return { ...f, validFrom: (statement.pluck().get(keys) as string | null | undefined) ?? null };
}

/** Where a period whose start is not known (validFrom null) sorts: before every date. */
const UNKNOWN_START = '';
const OPEN_END = '9999-12-31';

/**
 * In a bundle, validTo null means "held until a later position takes over": when the actor already has a
 * later position on the topic, the period ends where that one starts. So a timeline imports the same in
 * any order, and again unchanged. Single writes stay strict: there, such a period is a 409.
 */
function impliedEnd(db: Db, id: string, f: PositionFieldValues): PositionFieldValues {
  if (f.validTo !== null) return f;
  const next = prepared(
    db,
    'SELECT "valid_from" FROM "positions" WHERE "actor_id" = ? AND "topic_id" = ? AND "id" <> ? AND "valid_from" > ? ORDER BY "valid_from" LIMIT 1',
  )
    .pluck()
    .get(f.actorId, f.topicId, id, f.validFrom ?? UNKNOWN_START) as string | undefined;
  return next === undefined ? f : { ...f, validTo: next };
}

/** A stored period of a timeline: the position's row. */
type Period = PositionRow;

const PERIOD_COLUMNS =
  '"id", "actor_id" AS "actorId", "topic_id" AS "topicId", "stance", "summary", "valid_from" AS "validFrom", "valid_to" AS "validTo", ' +
  '"created_at" AS "createdAt", "updated_at" AS "updatedAt", "version"';

/**
 * An actor's positions on one topic form a timeline without overlaps. A new position that starts after
 * the open one closes it (its validTo becomes the new validFrom); any other overlap is a 409.
 */
function checkTimeline(db: Db, id: string, f: PositionFieldValues, existing: Position | undefined, author: Author): void {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  f.evidence.forEach((e, i) => {
    const first = seen.get(e.statementId);
    if (first !== undefined)
      errors.push({ in: 'body', path: `/evidence/${i}/statementId`, message: `repeats evidence item ${first} ('${e.statementId}')` });
    else seen.set(e.statementId, i);
  });
  if (f.validTo !== null && f.validFrom !== null && f.validTo <= f.validFrom) {
    errors.push({ in: 'body', path: '/validTo', message: `must be after validFrom (${f.validFrom})` });
  }
  if (errors.length > 0) {
    throw new AppError('INVALID_RECORD', errors.map((e) => `${e.path.slice(1)} ${e.message}.`).join(' '), { errors });
  }
  // A period whose start is not known may have begun at any time before its end: it sorts before every dated
  // period, so two of them on one timeline always overlap, and a dated position after an open one closes it.
  const from = f.validFrom ?? UNKNOWN_START;
  const to = f.validTo ?? OPEN_END;
  // The stored periods never overlap one another, so only these can overlap this one: the last period that
  // starts before it (it may run into this one, or be the open one this closes) and those that start within
  // it. Index seeks, however long the timeline grows (NULL starts are read apart: `<` and `>=` skip them).
  const undated = () =>
    prepared(
      db,
      `SELECT ${PERIOD_COLUMNS} FROM "positions" WHERE "actor_id" = ? AND "topic_id" = ? AND "id" <> ? AND "valid_from" IS NULL`,
    ).all(f.actorId, f.topicId, id) as Period[];
  const before =
    from === UNKNOWN_START
      ? undefined
      : ((prepared(
          db,
          `SELECT ${PERIOD_COLUMNS} FROM "positions" WHERE "actor_id" = ? AND "topic_id" = ? AND "id" <> ? AND "valid_from" < ? ORDER BY "valid_from" DESC LIMIT 1`,
        ).get(f.actorId, f.topicId, id, from) as Period | undefined) ?? undated()[0]);
  const within = prepared(
    db,
    `SELECT ${PERIOD_COLUMNS} FROM "positions" WHERE "actor_id" = ? AND "topic_id" = ? AND "id" <> ? AND "valid_from" >= ? AND "valid_from" < ? ORDER BY "valid_from"`,
  ).all(f.actorId, f.topicId, id, from, to) as Period[];
  const others = [...(before ? [before] : []), ...(from === UNKNOWN_START ? undated() : []), ...within];
  const open = existing === undefined && f.validFrom !== null && before?.validTo === null ? before : undefined;
  for (const other of others) {
    const otherTo = other === open ? from : other.validTo;
    const overlaps = from < (otherTo ?? OPEN_END) && (other.validFrom ?? UNKNOWN_START) < to;
    if (overlaps) {
      throw new AppError(
        'POSITION_OVERLAP',
        `${f.actorId}'s position on ${f.topicId} from ${f.validFrom ?? 'an unknown date'}${f.validTo ? ` to ${f.validTo}` : ''} overlaps position '${other.id}' (${other.validFrom ?? 'an unknown date'} to ${other.validTo ?? 'now'}). Periods of one actor on one topic must not overlap.`,
        { conflictingPositionId: other.id },
      );
    }
  }
  if (open && f.validFrom !== null) closePeriod(db, open, f.validFrom, author);
}

/**
 * Ends the open period where the next one starts, and records that change as a revision of its own, by
 * `author`; the revision of the version it replaces keeps that state first, as any update's does (store.ts).
 */
function closePeriod(db: Db, open: Period, validTo: string, author: Author): void {
  const [before] = positionStore.getMany(db, [open.id]);
  if (before) keepSupersededState(db, 'positions', open.id, open.version, revisionState(positionStore, before));
  const version = open.version + 1;
  prepared(db, 'UPDATE "positions" SET "valid_to" = ?, "updated_at" = ?, "version" = ? WHERE "id" = ?').run(
    validTo,
    now(),
    version,
    open.id,
  );
  recordRevision(db, { collection: 'positions', recordId: open.id, version, operation: 'update' }, author);
}

export interface PositionFilters {
  actor?: string;
  topic?: string;
  stance?: string;
  evidence?: string;
  asOf?: string;
}

/** The evidence as a link from a position to its statements, for the `evidence` filter. */
const evidenceLink: LinkTable = {
  table: positionEvidence,
  owner: positionEvidence.positionId,
  value: positionEvidence.statementId,
  ord: positionEvidence.ord,
};

/** The WHERE terms of the position filters, shared by the list and the stance matrix. */
export function positionFilters(db: Db, q: PositionFilters) {
  const topicIds = anyOf(q.topic);
  return [
    q.actor ? inArray(positions.actorId, anyOf(q.actor) ?? []) : undefined,
    topicIds ? inArray(positions.topicId, topicsUnder(db, topicIds)) : undefined,
    q.stance ? inArray(positions.stance, anyOf(q.stance) as Position['stance'][]) : undefined,
    // Through position_evidence_statement_idx: a seek per statement named.
    linkedTo(positions.id, evidenceLink, anyOf(q.evidence)),
    // Held on asOf: the period [validFrom, validTo) contains it.
    q.asOf ? and(lte(positions.validFrom, q.asOf), or(isNull(positions.validTo), gt(positions.validTo, q.asOf))) : undefined,
  ];
}

export function listPositions(db: Db, query: ListQuery & Record<string, unknown>) {
  return listRecords(
    db,
    {
      collection: 'positions',
      table: positions,
      id: positions.id,
      sortable: { validFrom: positions.validFrom, createdAt: positions.createdAt, updatedAt: positions.updatedAt, id: positions.id },
      defaultSort: 'validFrom',
    },
    query,
    positionFilters(db, query as PositionFilters),
    (rows) => hydrate(db, rows as PositionRow[]),
  );
}

/** What `expand=` embeds in positions: the actor, the topic, and each evidence item's statement. */
export const positionExpansions = {
  names: POSITION_EXPANSIONS,
  apply(db: Db, records: Position[], requested: string | undefined): Position[] {
    const expanded = applyExpansions(db, records, requested, {
      actor: { from: 'actorId', load: actorStore.getMany },
      topic: { from: 'topicId', load: topicStore.getMany },
    });
    if (!requested?.split(',').includes('evidence')) return expanded;
    const ids = [...new Set(expanded.flatMap((p) => p.evidence.map((e) => e.statementId)))];
    const byId = new Map(statementStore.getMany(db, ids).map((s) => [s.id, s]));
    return expanded.map((p) => ({ ...p, evidence: p.evidence.map((e) => ({ ...e, statement: byId.get(e.statementId) })) }));
  },
};
