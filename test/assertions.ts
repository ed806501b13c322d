// Assertions the resource tests share: RFC 9457 problems, field errors, record metadata.
import assert from 'node:assert/strict';
import type { TestApp } from './helpers.js';

export interface FieldError {
  in: string;
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  instance?: string;
  errors?: FieldError[];
  referencedBy?: { collection: string; field: string; ids: string[] }[];
  currentVersion?: number;
}

export interface Res {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function assertProblem(res: Res, status: number, code: string): Problem {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.body as Problem;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(body.type, `/problems/${code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(typeof body.title, 'string');
  assert.ok(body.title.length > 0);
  assert.equal(typeof body.detail, 'string');
  assert.ok(body.detail.length > 0);
  assert.equal(body.requestId, res.headers['x-request-id']);
  return body;
}

export function fieldError(body: Problem, path: string): FieldError {
  const found = body.errors?.find((e) => e.path === path);
  assert.ok(found, `no error at ${path} in ${JSON.stringify(body.errors)}`);
  return found;
}

export const withoutTimes = ({ createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;

export type Body = Record<string, any>;

/** POSTs with the write key and asserts a 201; returns the record. */
export async function create(t: TestApp, url: string, payload: Body): Promise<Body> {
  const res = await t.json({ method: 'POST', url, payload });
  assert.equal(res.status, 201, `POST ${url} ${JSON.stringify(payload)} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** GETs (reads are public) and asserts a 200; returns the body. */
export async function get(t: TestApp, url: string): Promise<Body> {
  const res = await t.json({ method: 'GET', url, auth: false });
  assert.equal(res.status, 200, `GET ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
