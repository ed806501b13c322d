// The five CRUD operations of a resource, with their OpenAPI descriptions, on top of its store.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type TObject, type TSchema, Type } from 'typebox';
import type { Db } from '../db/client.js';
import { notFound, singular } from './errors.js';
import { expandParameter } from './expand.js';
import { requestedFormat, sendExport } from './export.js';
import type { ListQuery, PageResult } from './pagination.js';
import { IdParams, Page, ProblemSchema, ref } from './schemas.js';
import { createRecord, etag, getRecord, type Meta, patchRecord, removeRecord, type Store } from './store.js';

export interface Resource<F extends object, R extends Meta> {
  store: Store<F, R>;
  /** OpenAPI tag. */
  tag: string;
  schemas: { record: TSchema; create: TSchema; patch: TSchema; listQuery: TObject };
  list(db: Db, query: ListQuery & Record<string, unknown>): PageResult<R>;
  /** CSV / NDJSON export of the list (`format=`): the columns and one row per record. */
  export?: { columns: readonly string[]; csvRow(record: R): Record<string, unknown> };
  /** `expand=`: the names it takes and how to embed them in a page of records. */
  expand?: { names: readonly string[]; apply(db: Db, records: R[], requested: string | undefined): R[] };
  /** Extra words for the operations' descriptions (rules the resource enforces). */
  notes?: { list?: string; create?: string; update?: string; remove?: string };
  examples?: { record?: unknown; create?: unknown; patch?: unknown };
}

const problem = (description: string) => ({ ...ref(ProblemSchema), description });
const Problems = {
  400: problem('The request is not valid: the problem lists each bad parameter or field.'),
  401: problem('The write needs a valid API key: `Authorization: Bearer <key>`.'),
  404: problem('No record with this id.'),
  409: problem('Conflict with stored data.'),
  412: problem('If-Match does not match the current version.'),
  422: problem('The record refers to records that do not exist, or breaks a rule of the data model.'),
};
const LinkHeader = { Link: { type: 'string', description: 'rel="next" link, when there is a next page' } };
const ETagHeader = { ETag: { type: 'string', description: 'The record version, quoted: use it in If-Match / If-None-Match.' } };
/** No query parameters: any sent is a 400, not silently ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });
const WriteHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Apply only if the record still has this ETag; 412 otherwise.' })),
});

export function registerCrudRoutes<F extends object, R extends Meta>(app: FastifyInstance, resource: Resource<F, R>): void {
  const { store, tag, schemas } = resource;
  const base = `/v1/${store.collection}`;
  const one = singular(store.collection);
  const db = app.db;
  const security = [{ bearerAuth: [] }];
  const example = (value: unknown) => (value === undefined ? {} : { examples: [value] });

  app.get(
    base,
    {
      schema: {
        operationId: `list${tag}`,
        tags: [tag],
        summary: `List ${store.collection}`,
        description:
          `A page of ${store.collection}. Follow \`nextCursor\` (or the \`Link: rel="next"\` header) for the next page. ${resource.notes?.list ?? ''}`.trim(),
        querystring: schemas.listQuery,
        response: {
          200: resource.export
            ? {
                description: `A page of ${store.collection} (JSON), or every matching one (CSV, NDJSON).`,
                headers: LinkHeader,
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
            : { ...Page(ref(schemas.record)), description: `A page of ${store.collection}.`, headers: LinkHeader },
          400: Problems[400],
        },
      },
    },
    async (request, reply) => {
      const query = request.query as ListQuery & Record<string, unknown>;
      const format = resource.export ? requestedFormat(request) : 'json';
      if (resource.export && format !== 'json') {
        const { columns, csvRow } = resource.export;
        const list = (q: ListQuery & Record<string, unknown>) => resource.list(db, q);
        return sendExport(request, reply, { name: store.collection, format, list, columns, csvRow });
      }
      const page = resource.list(db, query);
      if (page.nextCursor) reply.header('link', `<${nextUrl(request, page.nextCursor)}>; rel="next"`);
      return resource.expand ? { ...page, data: resource.expand.apply(db, page.data, query.expand as string | undefined) } : page;
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        operationId: `get${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Get one ${one}`,
        description: `The ${one} with this id. Sends an ETag; with If-None-Match equal to it, answers 304 without a body.`,
        params: IdParams,
        querystring: resource.expand
          ? Type.Object({ expand: Type.Optional(expandParameter(resource.expand.names)) }, { additionalProperties: false })
          : NoQuery,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ description: 'An ETag from an earlier read.' })) }),
        response: {
          200: { ...ref(schemas.record), description: `The ${one}.`, headers: ETagHeader, ...example(resource.examples?.record) },
          304: { type: 'null', description: 'Not modified since the ETag given in If-None-Match.' },
          400: Problems[400],
          404: Problems[404],
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const record = getRecord(db, store, id);
      if (!record) throw notFound(store.collection, id);
      const tagValue = etag(record.version);
      reply.header('etag', tagValue);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === tagValue || t.trim() === '*')) {
        return reply.code(304).send();
      }
      const { expand } = request.query as { expand?: string };
      return resource.expand ? resource.expand.apply(db, [record], expand)[0] : record;
    },
  );

  app.post(
    base,
    {
      onRequest: app.requireKey,
      schema: {
        operationId: `create${tag.replace(/s$/, '')}`,
        tags: [tag],
        summary: `Create a ${one}`,
        description:
          `Creates a ${one}; the client may choose its id. Answers 201 with a Location header. ${resource.notes?.create ?? ''}`.trim(),
        security,
        querystring: NoQuery,
        body: { ...ref(schemas.create), ...example(resource.examples?.create) },
        response: {
          201: { ...ref(schemas.record), description: `The new ${one}.`, headers: { ...ETagHeader, Location: { type: 'string' } } },
          400: Problems[400],
          401: Problems[401],
          409: problem('A record with this id already exists, or the record conflicts with stored data.'),
          422: Problems[422],
        },
      },
    },
    async (request, reply) => {
      const record = createRecord(db, store, request.body as Partial<F> & { id?: string });
      reply.code(201).header('location', `${base}/${record.id}`).header('etag', etag(record.version));
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
        summary: `Update a ${one}`,
        description:
          `Changes the fields sent and keeps the others; \`version\` grows by one if anything changed. ${resource.notes?.update ?? ''}`.trim(),
        security,
        params: IdParams,
        querystring: NoQuery,
        headers: WriteHeaders,
        body: { ...ref(schemas.patch), ...example(resource.examples?.patch) },
        response: {
          200: { ...ref(schemas.record), description: `The ${one} as it is now.`, headers: ETagHeader },
          400: Problems[400],
          401: Problems[401],
          404: Problems[404],
          409: Problems[409],
          412: Problems[412],
          422: Problems[422],
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const record = patchRecord(db, store, id, request.body as Partial<F>, request.headers['if-match']);
      reply.header('etag', etag(record.version));
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
        summary: `Delete a ${one}`,
        description:
          `Deletes the ${one}. Refused with 409 while other records refer to it; nothing cascades. ${resource.notes?.remove ?? ''}`.trim(),
        security,
        params: IdParams,
        querystring: NoQuery,
        headers: WriteHeaders,
        response: {
          204: { type: 'null', description: 'Deleted.' },
          400: Problems[400],
          401: Problems[401],
          404: Problems[404],
          409: problem('Other records still refer to this one; `referencedBy` names them.'),
          412: Problems[412],
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      removeRecord(db, store, id, request.headers['if-match']);
      return reply.code(204).send();
    },
  );
}

/** The same request with the cursor of the next page, as a relative URL. */
export function nextUrl(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://local');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}
