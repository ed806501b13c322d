// Columns every table shares.
import { sql } from 'drizzle-orm';
import { check, type SQLiteColumn, text } from 'drizzle-orm/sqlite-core';

export const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};

/** A CHECK constraint that keeps a text column inside its vocabulary, so the database refuses what the API would. */
export function oneOf(name: string, column: SQLiteColumn, values: readonly string[]) {
  return check(name, sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`);
}
