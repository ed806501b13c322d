// Contract check: every response a test sees must be one the served OpenAPI document declares, body and all.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

interface Response {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface Operation {
  responses: Record<string, Response>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, Response> };
}

/** A response of the document, and where it is, following a reference to components/responses. */
export function resolveResponse(document: OpenApiDocument, at: string, response: Response): { at: string; response: Response } {
  const name = /^#\/components\/responses\/(.+)$/.exec(response.$ref ?? '')?.[1];
  if (!name) return { at, response };
  const shared = document.components.responses?.[name];
  assert.ok(shared, `${response.$ref} is in the document`);
  return { at: pointer('components', 'responses', name), response: shared };
}

/** Paths the document does not describe on purpose: the docs UI and the document itself. */
const UNDOCUMENTED = [/^\/docs(?:\/.*)?$/, /^\/openapi\.json$/];

// The formats Fastify's own validator knows, from the same package it uses.
const requireFromCompiler = createRequire(createRequire(import.meta.url).resolve('@fastify/ajv-compiler'));
const addFormats = requireFromCompiler('ajv-formats') as FormatsPlugin;

interface Contract {
  templates: { path: string; pattern: RegExp }[];
  document: OpenApiDocument;
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

// One per distinct document in this process: apps built alike serve the same document, so each
// validator is compiled once, whatever the number of apps and requests.
const contracts = new Map<string, Contract>();
const byDocument = new WeakMap<object, Contract>();

function contractOf(document: OpenApiDocument): Contract {
  const known = byDocument.get(document);
  if (known) return known;
  const text = JSON.stringify(document);
  const key = createHash('sha256').update(text).digest('hex');
  let contract = contracts.get(key);
  if (!contract) {
    const copy = JSON.parse(text) as OpenApiDocument;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv as unknown as Parameters<FormatsPlugin>[0]);
    ajv.addSchema(copy as object, 'openapi.json', undefined, false);
    const templates = Object.keys(copy.paths)
      // Literal segments before parameters, so /v1/stats/statements is not read as a statement id.
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*')}/?$`) }));
    contract = { templates, document: copy, ajv, validators: new Map() };
    contracts.set(key, contract);
  }
  byDocument.set(document, contract);
  return contract;
}

/** A JSON Pointer from its segments. */
export const pointer = (...parts: string[]) => parts.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

/** The validator of the schema at a JSON Pointer into the document, compiled once per process. */
export function validatorAt(document: OpenApiDocument, at: string): ValidateFunction {
  return validator(contractOf(document), at);
}

function validator(contract: Contract, at: string): ValidateFunction {
  let validate = contract.validators.get(at);
  if (!validate) {
    validate = contract.ajv.compile({ $ref: `openapi.json#${at}` });
    contract.validators.set(at, validate);
  }
  return validate;
}

function urlOf(options: InjectOptions | string): { method: string; path: string } {
  if (typeof options === 'string') return { method: 'GET', path: new URL(options, 'http://test').pathname };
  const url = options.url ?? options.path ?? '/';
  const path = typeof url === 'string' ? new URL(url, 'http://test').pathname : (url.pathname ?? '/');
  return { method: (options.method ?? 'GET').toUpperCase(), path };
}

/**
 * Asserts that the response is declared by the document for its path, method and status: the media type is
 * one declared, and a JSON body validates against the declared schema. A request no operation matches must
 * answer 404 ROUTE_NOT_FOUND as a problem. CSV and NDJSON bodies are checked for their media type only.
 */
export function assertDeclared(document: OpenApiDocument, options: InjectOptions | string, response: LightMyRequestResponse): void {
  const contract = contractOf(document);
  const { method, path } = urlOf(options);
  const status = response.statusCode;
  const where = `${method} ${path} → ${status}`;
  if (UNDOCUMENTED.some((p) => p.test(path))) return;
  // A CORS preflight is HTTP plumbing, not an operation.
  if (method === 'OPTIONS' && status === 204) return;

  const template = contract.templates.find((t) => t.pattern.test(path))?.path;
  const operationKey = method === 'HEAD' ? 'get' : method.toLowerCase();
  const operation = template ? contract.document.paths[template]?.[operationKey] : undefined;
  if (!template || !operation) {
    assert.equal(status, 404, `${where}: no operation in the OpenAPI document matches, so the answer must be 404 ROUTE_NOT_FOUND`);
    checkBody(contract, where, response, method, pointer('components', 'schemas', 'Problem'), 'application/problem+json');
    assert.equal(JSON.parse(response.body).code, 'ROUTE_NOT_FOUND', `${where}: code`);
    return;
  }

  const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => operation.responses[k]);
  assert.ok(
    statusKey,
    `${where}: status ${status} is not declared for ${operationKey.toUpperCase()} ${template} (declared: ${Object.keys(operation.responses).join(', ')}); body: ${response.body.slice(0, 300)}`,
  );
  const { at, response: declared } = resolveResponse(
    contract.document,
    pointer('paths', template, operationKey, 'responses', statusKey),
    operation.responses[statusKey] as Response,
  );
  const contentType = String(response.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (!declared?.content) {
    assert.equal(response.body, '', `${where}: the document declares no body for ${statusKey}`);
    return;
  }
  if (method === 'HEAD') return;
  assert.ok(
    contentType && contentType in declared.content,
    `${where}: Content-Type ${contentType || '(none)'} is not declared (declared: ${Object.keys(declared.content).join(', ')})`,
  );
  // NDJSON and CSV are streams of their own; only JSON documents are validated whole.
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) return;
  checkBody(contract, where, response, method, `${at}${pointer('content', contentType, 'schema')}`);
}

function checkBody(contract: Contract, where: string, response: LightMyRequestResponse, method: string, at: string, mediaType?: string) {
  if (mediaType) {
    const contentType = String(response.headers['content-type'] ?? '').split(';')[0];
    assert.equal(contentType, mediaType, `${where}: Content-Type`);
  }
  if (method === 'HEAD') return;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    assert.fail(`${where}: the body is not JSON: ${response.body.slice(0, 200)}`);
  }
  const validate = validator(contract, at);
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(
      `${where}: the body does not match the OpenAPI document (${at}):\n  ${errors.join('\n  ')}\nbody: ${response.body.slice(0, 500)}`,
    );
  }
}
