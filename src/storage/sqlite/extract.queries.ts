// What extraction reuses from the archive: actors and topics by name and alias, a source by URL.
import { eq } from 'drizzle-orm';
import type { Archive, ArchiveSource } from '../../modules/extract/extract.types.js';
import type { Db } from './client.js';
import { dataVersion } from './records.js';
import { actors } from './tables/actors.table.js';
import { sources } from './tables/sources.table.js';
import { topics } from './tables/topics.table.js';

/** Each database's actors and topics as last read, with the data version they were read at. */
const kept = new WeakMap<Db, { version: string; actors: Archive['actors']; topics: Archive['topics'] }>();

/** The archive extraction reuses: actors and topics read again only when the data has changed since, a source by URL on demand. */
export function loadArchive(db: Db): Archive {
  const version = dataVersion(db);
  let entry = kept.get(db);
  if (entry?.version !== version) {
    entry = { version, ...readNames(db) };
    kept.set(db, entry);
  }
  return {
    actors: entry.actors,
    topics: entry.topics,
    sourceByUrl: (url) => {
      const found = db.select().from(sources).where(eq(sources.url, url)).limit(1).get();
      if (!found) return undefined;
      const { createdAt: _c, updatedAt: _u, version: _v, ...row } = found;
      return row as ArchiveSource;
    },
  };
}

function readNames(db: Db): Pick<Archive, 'actors' | 'topics'> {
  const actorRows = db
    .select({
      id: actors.id,
      name: actors.name,
      kind: actors.kind,
      countryCode: actors.countryCode,
      parentId: actors.parentId,
      aliases: actors.aliases,
      description: actors.description,
    })
    .from(actors)
    .all();
  const topicRows = db
    .select({ id: topics.id, name: topics.name, parentId: topics.parentId, aliases: topics.aliases, description: topics.description })
    .from(topics)
    .all();
  return { actors: actorRows, topics: topicRows };
}
