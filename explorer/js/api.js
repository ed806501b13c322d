// The public /v1 API, the only thing the explorer talks to; names of actors and topics are cached by id.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The /v1 URL of a path and parameters (empty values are left out). */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const qs = query.toString();
  return `/v1${path}${qs ? `?${qs}` : ''}`;
}

export async function get(path, params) {
  const response = await fetch(apiUrl(path, params), { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** GET that answers undefined for a 404 (a reference to a record that has since been deleted). */
export async function getOrMissing(path, params) {
  try {
    return await get(path, params);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

const cache = { actors: new Map(), topics: new Map() };

export function remember(collection, records) {
  for (const record of records) if (record) cache[collection].set(record.id, record);
}

/**
 * The records of these ids, from the cache or with the `id` filter, a page of up to 100 at a time, so a
 * matrix of many actors costs a request or two rather than one per actor.
 */
export async function byIds(collection, ids) {
  const missing = [...new Set(ids)].filter((id) => id && !cache[collection].has(id));
  const chunks = [];
  for (let i = 0; i < missing.length; i += 60) chunks.push(missing.slice(i, i + 60));
  const pages = await Promise.all(chunks.map((chunk) => get(`/${collection}`, { id: chunk.join(','), limit: 100 })));
  for (const page of pages) remember(collection, page.data);
  return new Map(ids.map((id) => [id, cache[collection].get(id)]));
}

let vocabularies;
export async function vocab() {
  vocabularies ??= get('/vocabularies');
  return vocabularies;
}

/** For `.catch`: a 400 (bad input) becomes a value the view can show beside its form; anything else rethrows. */
export function refused(error) {
  if (error instanceof ApiError && error.status === 400) return error;
  throw error;
}
