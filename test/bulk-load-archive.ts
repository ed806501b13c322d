// The archive both bulk-load tests load (test/bulk-load.test.ts on SQLite, test/postgres-bulk-load.test.ts).
import assert from 'node:assert/strict';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { archiveBundles } from './bench/archive.js';

/**
 * Two bundles of the bench's archive (new records, positions among them), then a third that moves some
 * statements to other topics and dates (updates). A topic of the first statement has several aliases: the
 * full-text row lists them in order, after its name.
 */
export function bulkLoadArchive(): [Bundle, Bundle, Bundle] {
  const [first, second] = [...archiveBundles(2000)] as [Bundle, Bundle];
  const topic = first.topics?.find((t) => t.id === first.statements?.[0]?.topicIds?.[0]);
  assert.ok(topic);
  topic.aliases = ['Zeta alias', 'Alpha alias', 'Mid alias'];
  const moved = (second.statements ?? []).slice(0, 50).map((s, i) => ({
    ...s,
    topicIds: [first.topics?.[(i * 7) % (first.topics?.length ?? 1)]?.id as string],
    statedOn: i % 5 === 0 ? null : `2020-0${1 + (i % 9)}-1${i % 10}`,
  }));
  return [first, second, { statements: moved }];
}
