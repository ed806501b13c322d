// Test helper: an app on its own fresh database (a SQLite file; with DATABASE_URL=postgres://…, a new PostgreSQL
// database), with a write key, closed after the test; every answer contract-checked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { assertDeclared, type OpenApiDocument } from './contract.js';
import { freshDatabase } from './postgres/databases.js';

/** True when the suite runs on PostgreSQL (DATABASE_URL=postgres://…): each app gets a new database of its own. */
export const onPostgres = process.env.DATABASE_URL?.startsWith('postgres') ?? false;

/**
 * `{ skip: sqliteOnly }` on a test that looks inside the SQLite engine (storage/inspect.ts: raw SQL on its file,
 * FTS5's own bm25(), query plans): on PostgreSQL it has nothing to inspect. Its PostgreSQL counterpart, where one
 * is due, is listed in docs/postgres-status.md.
 */
export const sqliteOnly: string | false = onPostgres ? 'inspects the SQLite engine' : false;

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  key: string;
  dir: string;
  /** inject with the write key; pass `auth: false` to send none. */
  request(options: InjectOptions & { auth?: boolean }): Promise<LightMyRequestResponse>;
  /** The parsed JSON body of a request, asserting nothing. */
  json<T = any>(
    options: InjectOptions & { auth?: boolean },
  ): Promise<{ status: number; body: T; headers: LightMyRequestResponse['headers'] }>;
}

/** Whatever closes an app when its test ends: a test's context (`t`), or the hooks of a describe block. */
interface Owner {
  after(fn: () => Promise<void>): void;
}

/**
 * The document every app built here serves. They differ only in their database, which the document does not
 * describe, so it is generated once per process: generating it again costs each test a good part of what
 * building its app costs.
 */
let servedDocument: OpenApiDocument | undefined;

/** Builds the app on a new database file in a temp folder; `seed: true` loads the FO briefing. */
export async function makeApp(t: Owner, options: { seed?: boolean } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'statements-test-'));
  const database = onPostgres ? await freshDatabase() : undefined;
  const app = await buildApp({
    databasePath: join(dir, 'test.db'),
    ...(database ? { databaseUrl: database.url } : {}),
    logLevel: 'silent',
    authDisabled: false,
    seed: options.seed ?? false,
  });
  const key = await createKey(app.storage, 'test');
  t.after(async () => {
    await app.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  // Every answer is checked against the OpenAPI document the app serves: an undeclared status, media type or
  // body shape fails the test that met it.
  const request = async ({ auth = true, ...options }: InjectOptions & { auth?: boolean }) => {
    const response = await app.inject({ ...options, headers: { ...(auth ? { authorization: `Bearer ${key}` } : {}), ...options.headers } });
    servedDocument ??= app.swagger() as unknown as OpenApiDocument;
    assertDeclared(servedDocument, options, response);
    return response;
  };
  return {
    app,
    key,
    dir,
    request,
    async json(options) {
      const res = await request(options);
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
    },
  };
}

/**
 * One app for the tests of a describe block that only read, built (and given `setup`) before the first of
 * them and closed after the last: for a world that is costly to build and that no test of the block changes.
 * Call it in the describe's body; the getter returns the app once the block's tests run.
 */
export function sharedApp(setup: (api: TestApp) => Promise<void>, options: { seed?: boolean } = {}): () => TestApp {
  let api: TestApp | undefined;
  const closers: (() => Promise<void>)[] = [];
  before(async () => {
    api = await makeApp({ after: (fn) => closers.push(fn) }, options);
    await setup(api);
  });
  after(async () => {
    for (const close of closers) await close();
  });
  return () => {
    assert.ok(api, 'sharedApp: the app is built before the first test of its block');
    return api;
  };
}

interface ListPage {
  data: { id: string }[];
  nextCursor: string | null;
  total?: number;
}

/**
 * Every page of a list, following nextCursor from `path` (each page asked with the same parameters): the
 * ids in order, and the first page.
 */
export async function everyPage(t: TestApp, path: string): Promise<{ ids: string[]; first: ListPage }> {
  const ids: string[] = [];
  let first: ListPage | undefined;
  for (let url: string | undefined = path; url !== undefined; ) {
    const res: { status: number; body: ListPage } = await t.json({ method: 'GET', url });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    first ??= res.body;
    ids.push(...res.body.data.map((r) => r.id));
    url = res.body.nextCursor ? `${path}&cursor=${encodeURIComponent(res.body.nextCursor)}` : undefined;
  }
  return { ids, first: first as ListPage };
}

/** A minimal world to hang statements on: an actor, a source, a topic tree. */
export async function seedMinimal(t: TestApp): Promise<void> {
  const posts: [string, Record<string, unknown>][] = [
    ['/v1/actors', { id: 'pakistan', name: 'Pakistan', kind: 'state', countryCode: 'PAK' }],
    ['/v1/actors', { id: 'spokesperson', name: 'A Spokesperson', kind: 'person', parentId: 'pakistan' }],
    ['/v1/actors', { id: 'ttp', name: 'Tehreek-e-Taliban Pakistan', kind: 'armedGroup', aliases: ['TTP'] }],
    ['/v1/sources', { id: 'report', kind: 'newsReport', title: 'A report', publishedOn: '2024-04-05' }],
    ['/v1/topics', { id: 'counter-terrorism', name: 'Counter-terrorism' }],
    ['/v1/topics', { id: 'ttp', name: 'TTP', parentId: 'counter-terrorism' }],
    ['/v1/topics', { id: 'talks-with-ttp', name: 'Talks with the TTP', parentId: 'ttp' }],
    ['/v1/topics', { id: 'migration', name: 'Migration' }],
  ];
  for (const [url, payload] of posts) {
    const res = await t.request({ method: 'POST', url, payload });
    if (res.statusCode !== 201) throw new Error(`seedMinimal ${url}: ${res.statusCode} ${res.body}`);
  }
}
