// `expand=`: embed related records one level deep, with one read per relation per page (the engine reads them).
import { type TSchema, Type } from 'typebox';
import { ref } from './schemas.js';

export interface Expansion<D> {
  /** The field of the record holding the id (or ids) to expand. */
  from: string;
  /** Reads the related records by id, in one go. */
  load: (db: D, ids: string[]) => { id: string }[];
}

/** The `expand` query parameter: a comma-separated subset of `names`. */
export function expandParameter(names: readonly string[]) {
  return Type.String({
    pattern: `^(?:${names.join('|')})(?:,(?:${names.join('|')}))*$`,
    description: `Embed related records (one level): any of ${names.join(', ')}, comma-separated.`,
  });
}

/** Optional read-only properties for the embedded records: a record (or null) or a list of records. */
export function expandedProperties(fields: Record<string, { schema: TSchema; many: boolean; nullable?: boolean }>) {
  return Object.fromEntries(
    Object.entries(fields).map(([name, { schema, many, nullable }]) => {
      const target = ref(schema);
      const shape = many ? Type.Array(target) : nullable ? { anyOf: [target, Type.Null()] } : target;
      return [name, Type.Optional({ ...shape, description: `With expand=${name}: the ${many ? 'records' : 'record'} it refers to.` })];
    }),
  );
}

/** Adds each requested expansion to every record; ids the store no longer has are left out. */
export function applyExpansions<D, R extends object>(
  db: D,
  records: R[],
  requested: string | undefined,
  expansions: Record<string, Expansion<D>>,
): R[] {
  if (!requested || records.length === 0) return records;
  // The records are the caller's fresh copies: the embedded ones are added in place (no copy of each).
  const out = records as Record<string, unknown>[];
  for (const name of new Set(requested.split(','))) {
    const expansion = expansions[name];
    if (!expansion) continue;
    const ids = new Set<string>();
    for (const r of out) {
      const value = r[expansion.from];
      if (Array.isArray(value)) for (const id of value) ids.add(id as string);
      else if (typeof value === 'string') ids.add(value);
    }
    const byId = new Map(expansion.load(db, [...ids]).map((related) => [related.id, related]));
    for (const r of out) {
      const value = r[expansion.from];
      r[name] = Array.isArray(value)
        ? value.flatMap((id) => byId.get(id as string) ?? [])
        : typeof value === 'string'
          ? (byId.get(value) ?? null)
          : null;
    }
  }
  return out as R[];
}
