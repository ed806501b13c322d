// The five CRUD operations of a resource, with their OpenAPI descriptions, on top of the storage's records and lists.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type TObject, type TSchema, Type } from 'typebox';
import type { Collection, Meta, Query, Storage } from '../storage/index.js';
import type { KeptAnswers } from './answer-cache.js';
import { canonicalEntries } from './cursor.js';
import { notFound, singular } from './errors.js';
import { etag, expandedEtag } from './etag.js';
import { SAMPLE_IDS, type SampledCollection, seededRecord, seedRecord } from './examples.js';
import { expandParameter } from './expand.js';
import { requestedFormat, sendExport } from './export.js';
import type { ListQuery, PageResult } from './pagination.js';
import type { ProblemNotes } from './problems.js';
import { IdParams, NoQuery, Page, ref } from './schemas.js';

export interface Resource<R extends Meta> {
  collection: Collection;
  /** OpenAPI tag. */
  tag: string;
  schemas: { record: TSchema; create: TSchema; patch: TSchema; listQuery: TObject };
  /** CSV / NDJSON export of the list (`format=`): the columns and one row per record. */
  export?: { columns: readonly string[]; csvRow(record: R): Record<string, unknown> };
  /** `expand=`: the names it takes and how to embed them in a page of records. */
  expand?: { names: readonly string[] };
  /** Lists whose answers are kept until the data changes (the costly ones, such as searches): which, and where. */
  kept?: { answers: KeptAnswers; when(query: ListQuery & Record<string, unknown>): boolean };
  /** Extra words for the operations' descriptions (rules the resource enforces). */
  notes?: { list?: string; create?: string; update?: string; remove?: string };
  /** Problems the writes answer with beyond those of every resource (UNKNOWN_REFERENCE naming the reference fields, its rules). */
  problems?: { create?: ProblemNotes; update?: ProblemNotes };
  /** The examples of every operation, on the collection's sample record (SAMPLE_IDS). */
  examples: {
    /** What to call the sample record. */
    label: string;
    /** A list query string whose answer, on the seeded server, is that record alone; and what it asks. */
    listQuery: string;
    listLabel: string;
    /** The read-only fields the record is served with. */
    derived?: Record<string, unknown>;
    patch: { label: string; value: Record<string, unknown> };
  };
}

const LinkHeader = { Link: { type: 'string', description: 'The next page, as `<url>; rel="next"`; absent on the last page.' } };
const ETagHeader = {
  ETag: {
    type: 'string',
    description:
      'The record\'s version, quoted (`"3"`), with a suffix naming the fields derived from other records: a statement\'s `verified` gives `"3.v"` (true) or `"3.u"` (false; none while null), a position\'s evidence dates a digest (`"3.Ab3_x9Qz"`); with `expand`, a digest of the embedded records\' ETags follows (`"3.v.Xy12abCd"`). It changes whenever the answer does; send it in If-None-Match, and it or the version alone in If-Match.',
  },
};
const PRECONDITION_NOTE =
  'If-Match names another version than the current one; `currentVersion` says which it is, and `detail` its current ETag.';
const LocationHeader = { Location: { type: 'string', description: 'The URL of the new record.' } };
const WriteHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      description:
        'Apply only if the record is still at the version this ETag names, or the version alone quoted (`"3"`); 412 otherwise. The suffix of derived fields is not compared: they change with other records (a statement\'s `verified` with its sources\' texts), which is no conflicting write.',
    }),
  ),
});

const PATCHED_AT = '2024-04-06T09:30:00.000Z';

export function registerCrudRoutes<F extends object, R extends Meta>(app: FastifyInstance, resource: Resource<R>): void {
  const { collection, tag, schemas } = resource;
  const base = `/v1/${collection}`;
  const one = singular(collection);
  const aOne = `${/^[aeiou]/.test(one) ? 'an' : 'a'} ${one}`;
  const storage = app.storage;
  const referrers = storage.records.referrersOf(collection);
  const security = [{ bearerAuth: [] }];

  const ex = resource.examples;
  const sampleId = SAMPLE_IDS[collection as SampledCollection];
  const seed = seedRecord(collection, sampleId);
  const record = seededRecord(collection, sampleId, ex.derived);
  const patched = { ...record, ...ex.patch.value, updatedAt: PATCHED_AT, version: 2 };
  const onSeed = (request: string) => `Answer to \`${request}\` on the seeded server.`;
  const recordUrl = `${base}/${sampleId}`;
  const json = (schema: unknown, description: string, headers?: Record<string, unknown>) => ({
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema } },
  });

  app.get(
    base,
    {
      schema: {
        operationId: `list${tag}`,
        tags: [tag],
        summary: `List ${collection}`,
        description:
          `A page of ${collection}. Follow \`nextCursor\` (or the \`Link: rel="next"\` header) for the next page. ${resource.notes?.list ?? ''}`.trim(),
        querystring: schemas.listQuery,
        response: {
          200: resource.export
            ? {
                description: `A page of ${collection} (JSON), or every matching one (CSV, NDJSON).`,
                headers: {
                  ...LinkHeader,
                  'Content-Disposition': { type: 'string', description: 'With CSV or NDJSON: `attachment` with a file name.' },
                },
                content: {
                  'application/json': { schema: Page(ref(schemas.record)) },
                  'text/csv': {
                    schema: {
                      type: 'string',
                      description: `A header line, then one line per record: ${resource.export.columns.join(', ')}.`,
                    },
                  },
                  'application/x-ndjson': { schema: { type: 'string', description: 'One JSON record per line.' } },
                },
              }
            : json(Page(ref(schemas.record)), `A page of ${collection}.`, LinkHeader),
        },
        problems: {
          INVALID_CURSOR: 'The cursor was issued for other filters or another sort, or is damaged.',
          ...(resource.export
            ? {
                VALIDATION_FAILED:
                  'A parameter is not valid, or is not one this operation takes, or a cursor is sent with format=csv or ndjson; `errors` names each.',
              }
            : {}),
        },
        examples: {
          responses: {
            200: {
              seeded: {
                summary: ex.listLabel,
                description: onSeed(`GET ${base}?${ex.listQuery}`),
                value: { data: [record], nextCursor: null },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const query = request.query as ListQuery & Record<string, unknown>;
      const format = resource.export ? requestedFormat(request) : 'json';
      if (resource.export && format !== 'json') {
        const { columns, csvRow } = resource.export;
        const list = (q: Query) => storage.lists.page<R>(collection, q);
        return sendExport(request, reply, { name: collection, format, list, columns, csvRow });
      }
      const kept = resource.kept?.when(query) ? resource.kept.answers : undefined;
      return sendPage(storage, request, reply, kept, () => expandedPage<R>(storage, collection, query));
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        operationId: `get${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Get one ${one}`,
        description: `The ${one} with this id. Sends an ETag, which changes whenever this answer does (also when only a field derived from other records does, such as a statement's \`verified\`, or a record embedded by \`expand\`); with If-None-Match equal to it, answers 304 without a body.`,
        params: IdParams,
        querystring: resource.expand
          ? Type.Object({ expand: Type.Optional(expandParameter(resource.expand.names)) }, { additionalProperties: false })
          : NoQuery,
        headers: Type.Object({
          'if-none-match': Type.Optional(
            Type.String({ description: 'ETags from earlier reads, comma-separated (weak ones compare equal to strong), or `*`.' }),
          ),
        }),
        response: {
          200: json(ref(schemas.record), `The ${one}.`, ETagHeader),
          304: { type: 'null', description: 'Not modified since the ETag given in If-None-Match.', headers: ETagHeader },
        },
        problems: { NOT_FOUND: `No ${one} has this id.` },
        examples: { responses: { 200: { seeded: { summary: ex.label, description: onSeed(`GET ${recordUrl}`), value: record } } } },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const record = await storage.records.get<R>(collection, id);
      if (!record) throw notFound(collection, id);
      const { expand } = request.query as { expand?: string };
      // Without expand= there is nothing to embed: no call, and no await, for the commonest get. With it, the
      // ETag names the embedded records too, so the answer is built before If-None-Match is compared.
      const answer = resource.expand && expand ? (await storage.lists.expand(collection, [record], expand))[0] : undefined;
      const tagValue = answer ? expandedEtag(answer, expand as string) : etag(record);
      reply.header('etag', tagValue);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === tagValue || t.trim() === '*')) {
        return reply.code(304).send();
      }
      return answer ?? record;
    },
  );

  app.post(
    base,
    {
      onRequest: app.requireKey,
      schema: {
        operationId: `create${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Create ${aOne}`,
        description:
          `Creates ${aOne}; the client may choose its id. Answers 201 with a Location header. ${resource.notes?.create ?? ''}`.trim(),
        security,
        body: ref(schemas.create),
        response: {
          201: json(ref(schemas.record), `The new ${one}.`, { ...ETagHeader, ...LocationHeader }),
        },
        problems: {
          ID_TAKEN: `There is already ${aOne} with this id.`,
          INVALID_RECORD: 'The database refused the write (a backstop: the rules are checked first).',
          ...resource.problems?.create,
        },
        examples: {
          body: { seeded: { summary: ex.label, description: `As the FO briefing seed has it.`, value: seed } },
          responses: {
            201: {
              seeded: {
                summary: ex.label,
                description: `What \`POST ${base}\` with the example body answers, on a database without that ${one}.`,
                value: record,
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const record = await storage.records.create<R>(collection, request.body as Partial<F> & { id?: string }, {
        keyName: request.keyName,
      });
      reply.code(201).header('location', `${base}/${record.id}`).header('etag', etag(record));
      return record;
    },
  );

  app.patch(
    `${base}/:id`,
    {
      onRequest: app.requireKey,
      schema: {
        operationId: `update${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Update ${aOne}`,
        description:
          `Changes the fields sent and keeps the others; \`version\` grows by one if anything changed. ${resource.notes?.update ?? ''}`.trim(),
        security,
        params: IdParams,
        headers: WriteHeaders,
        body: ref(schemas.patch),
        response: {
          200: json(ref(schemas.record), `The ${one} as it is now.`, ETagHeader),
        },
        problems: {
          NOT_FOUND: `No ${one} has this id.`,
          PRECONDITION_FAILED: PRECONDITION_NOTE,
          INVALID_RECORD: 'The database refused the write (a backstop: the rules are checked first).',
          ...resource.problems?.update,
        },
        examples: {
          body: { seeded: { summary: ex.patch.label, value: ex.patch.value } },
          responses: {
            200: {
              seeded: {
                summary: `${ex.label}, changed`,
                description: onSeed(`PATCH ${recordUrl}`).replace(' on the', ' with the example body, on the'),
                value: patched,
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const record = await storage.records.patch<R>(collection, id, request.body as Partial<F>, request.headers['if-match'], {
        keyName: request.keyName,
      });
      reply.header('etag', etag(record));
      return record;
    },
  );

  app.delete(
    `${base}/:id`,
    {
      onRequest: app.requireKey,
      schema: {
        operationId: `delete${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Delete ${aOne}`,
        description:
          `Deletes the ${one}. Refused with 409 while other records refer to it; nothing cascades. ${resource.notes?.remove ?? ''}`.trim(),
        security,
        params: IdParams,
        headers: WriteHeaders,
        response: {
          204: { type: 'null', description: 'Deleted.' },
        },
        problems: {
          NOT_FOUND: `No ${one} has this id.`,
          PRECONDITION_FAILED: PRECONDITION_NOTE,
          ...(referrers.length > 0
            ? {
                STILL_REFERENCED: `Other records still refer to this ${one}; \`referencedBy\` names them (${referrerList(referrers)}).`,
              }
            : {}),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await storage.records.remove(collection, id, request.headers['if-match'], { keyName: request.keyName });
      return reply.code(204).send();
    },
  );
}

const referrerList = (referrers: readonly { collection: string; field: string }[]) =>
  referrers.map((r) => `${r.collection}.${r.field}`).join(', ');

/**
 * Sends a page of a list as JSON, with a Link header to the next page; with `kept`, the answer is kept
 * until the data changes, under the route and its parameters in any order.
 */
export async function sendPage<P extends PageResult<unknown>>(
  storage: Storage,
  request: FastifyRequest,
  reply: FastifyReply,
  kept: KeptAnswers | undefined,
  build: () => Promise<P>,
): Promise<P | FastifyReply> {
  const link = (page: P) => (page.nextCursor ? { link: `<${nextUrl(request, page.nextCursor)}>; rel="next"` } : undefined);
  if (kept) {
    const parameters = canonicalEntries(request.query as Record<string, unknown>);
    return kept.send(storage, reply, `${request.routeOptions.url} ${JSON.stringify(parameters)}`, build, link);
  }
  const page = await build();
  const headers = link(page);
  if (headers) reply.headers(headers);
  return page;
}

/** A page of the resource's list, with the records `expand=` asks for embedded. */
export async function expandedPage<R extends Meta>(storage: Storage, collection: Collection, query: Query): Promise<PageResult<R>> {
  const page = await storage.lists.page<R>(collection, query);
  const requested = query.expand as string | undefined;
  return requested ? { ...page, data: await storage.lists.expand(collection, page.data, requested) } : page;
}

/** A path URL parsing leaves as it is: no dot segments, nothing to percent-encode. */
const PLAIN_PATH = /^(?:\/[\w~-][\w.~-]*)+\/?$/;
/** A query parameter, or a value, that URLSearchParams writes back as it reads it. */
const PLAIN_PAIR = /^[\w.*-]+=[\w.*-]*$/;
const PLAIN_VALUE = /^[\w.*-]*$/;

/**
 * The same request with the cursor of the next page, as a relative URL. When nothing in it needs encoding
 * (most lists' URLs), it is put together as URL and URLSearchParams would write it, without parsing: every
 * page of every list makes one, and parsing cost more than the rest of the headers.
 */
function nextUrl(request: FastifyRequest, cursor: string): string {
  const at = request.url.indexOf('?');
  const path = at < 0 ? request.url : request.url.slice(0, at);
  const pairs = at < 0 ? [] : request.url.slice(at + 1).split('&');
  if (PLAIN_PATH.test(path) && PLAIN_VALUE.test(cursor) && pairs.every((pair) => PLAIN_PAIR.test(pair))) {
    // As URLSearchParams.set does: the first cursor takes the new value and any others go; else it comes last.
    const kept: string[] = [];
    let set = false;
    for (const pair of pairs) {
      if (!pair.startsWith('cursor=')) kept.push(pair);
      else if (!set) {
        kept.push(`cursor=${cursor}`);
        set = true;
      }
    }
    if (!set) kept.push(`cursor=${cursor}`);
    return `${path}?${kept.join('&')}`;
  }
  const url = new URL(request.url, 'http://local');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}
