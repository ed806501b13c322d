// Trees by parentId (actors, topics): cycle checks, and records named by id or alias (descendants: topics.ancestry.ts).
import { getTableName, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { AppError } from '../../lib/errors.js';
import type { Db } from './client.js';
import { dataVersion, prepared, quoted } from './records.js';

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

const names = new WeakMap<Db, Map<string, { version: string; byName: Map<string, string[]> }>>();

/**
 * The ids of the records the given values name: a value names the record with that id, and the records
 * that list it as an alias written as a slug (`besham` finds the topic `bisham-attack`, alias "Besham").
 * Read from a map of the table's ids and alias slugs, kept until the data changes: lists filtered by topic
 * ask on every request. `version` is the data's (dataVersion), given when the request has read it already.
 */
export function namedIds(
  db: Db,
  table: TreeTable & { aliases: SQLiteColumn },
  wanted: string[],
  version: string = dataVersion(db),
): string[] {
  let kept = names.get(db);
  if (!kept) {
    kept = new Map();
    names.set(db, kept);
  }
  const name = getTableName(table);
  let entry = kept.get(name);
  if (entry?.version !== version) {
    const byName = new Map<string, string[]>();
    const add = (key: string, id: string) => {
      const ids = byName.get(key) ?? [];
      if (!ids.includes(id)) ids.push(id);
      byName.set(key, ids);
    };
    const rows = prepared(db, `SELECT ${quoted(table.id.name)}, ${quoted(table.aliases.name)} FROM ${quoted(name)}`)
      .raw()
      .all() as [string, string][];
    for (const [id, aliases] of rows) {
      add(id, id);
      // The slug: spaces trimmed from the ends, ASCII letters lowered, inner spaces made hyphens.
      for (const alias of JSON.parse(aliases) as string[])
        add(
          alias
            .replace(/^ +| +$/g, '')
            .replace(/[A-Z]/g, (c) => c.toLowerCase())
            .replaceAll(' ', '-'),
          id,
        );
    }
    entry = { version, byName };
    kept.set(name, entry);
  }
  const found = new Set<string>();
  for (const value of wanted) for (const id of entry.byName.get(value) ?? []) found.add(id);
  return [...found];
}
