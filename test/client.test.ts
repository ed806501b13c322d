// A typed client, proven: types generated from the served document with openapi-typescript, the script in
// test/client/ compiled strictly against them (openapi-fetch), then run against a listening, seeded server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { ROOT } from '../src/lib/paths.js';
import { makeApp } from './helpers.js';

const SCRIPTS = ['consume.ts', 'mistakes.ts'];

/** An app's own compiler settings: strict, ESM, browser globals (fetch), nothing from this project. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
  skipLibCheck: true,
  verbatimModuleSyntax: true,
};

test('a client generated from the served document type-checks, catches mistakes, and works against the server', async (t) => {
  const api = await makeApp(t, { seed: true });
  const document = JSON.parse((await api.request({ method: 'GET', url: '/openapi.json' })).body);

  // An app's folder: the generated types, the scripts, and the packages it would install (openapi-fetch).
  const dir = mkdtempSync(join(tmpdir(), 'statements-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'openapi.d.ts'), astToString(await openapiTS(document)));
  for (const file of SCRIPTS) {
    const source = readFileSync(join(ROOT, 'test', 'client', file), 'utf8');
    writeFileSync(join(dir, file), source.replace(/^\/\/ @ts-nocheck.*\n/, ''));
  }

  const program = ts.createProgram(
    SCRIPTS.map((f) => join(dir, f)),
    COMPILER_OPTIONS,
  );
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  // A mistake the types did not catch shows as an unused @ts-expect-error (TS2578).
  assert.deepEqual(diagnostics, [], 'the scripts compile, and every marked mistake is a type error');

  const baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const { tour } = (await import(pathToFileURL(join(dir, 'consume.ts')).href)) as {
    tour(
      baseUrl: string,
      key: string,
    ): Promise<{ texts: string[]; stance: string; summary: string; evidence: string[]; wouldCreate: number }>;
  };
  const result = await tour(baseUrl, api.key);
  assert.deepEqual(result.texts, [
    'Pakistan is not holding any talks with Tehreek-e-Taliban Pakistan (TTP) and has no plans to hold talks with them in future.',
  ]);
  assert.equal(result.stance, 'opposes');
  assert.match(result.summary, /^Pakistan is not holding any talks with the TTP/);
  assert.deepEqual(result.evidence, [
    '2024-04-04 reiterates: Pakistan is not holding any talks with Tehreek-e-Taliban Pakistan (TTP) and has no plans to hold talks with them in future.',
  ]);
  assert.equal(result.wouldCreate, 1);
  const topics = await api.json({ method: 'GET', url: '/v1/topics/sco' });
  assert.equal(topics.status, 404, 'the dry run stored nothing');
});
