// Trees by parentId (actors, topics): cycle checks, and records named by id or alias (descendants: topics.ancestry.ts).
import { type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { AppError } from './errors.js';

type TreeTable = SQLiteTable & { id: SQLiteColumn; parentId: SQLiteColumn };

/** A record may not be its own ancestor: walking up from the new parent must never reach `id`. */
export function assertNoCycle(db: Db, table: TreeTable, id: string, parentId: string | null, collection: string): void {
  if (parentId === null) return;
  const hit = db.all<{ id: string }>(sql`
    WITH RECURSIVE up(id, parent) AS (
      SELECT ${table.id}, ${table.parentId} FROM ${table} WHERE ${table.id} = ${parentId}
      UNION
      SELECT t.id, t.parent_id FROM ${table} t JOIN up ON t.id = up.parent
    )
    SELECT id FROM up WHERE id = ${id} LIMIT 1`);
  if (parentId === id || hit.length > 0) {
    throw new AppError('INVALID_RECORD', `parentId '${parentId}' would make '${id}' its own ancestor in /v1/${collection}.`, {
      errors: [{ in: 'body', path: '/parentId', message: `would make '${id}' its own ancestor` }],
    });
  }
}

/**
 * The ids of the given records, as a subquery. A value also names the records that list it as an alias,
 * written as a slug (`besham` finds the topic `bisham-attack`, alias "Besham").
 */
export function named(table: TreeTable & { aliases: SQLiteColumn }, ids: string[]): SQL {
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`(SELECT ${table.id} FROM ${table} WHERE ${table.id} IN (${list})
    OR EXISTS (SELECT 1 FROM json_each(${table.aliases}) alias WHERE replace(lower(trim(alias.value)), ' ', '-') IN (${list})))`;
}
