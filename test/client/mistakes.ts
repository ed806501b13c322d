// @ts-nocheck -- test/client.test.ts compiles this strictly: each line marked @ts-expect-error must be a type error there.
// Proof that the generated types are not `any`: mistakes an app could make, each caught at compile time.
import createClient from 'openapi-fetch';
import type { paths } from './openapi.js';

export async function mistakes(
  api = createClient<paths, 'application/json' | 'application/problem+json'>({ baseUrl: 'http://127.0.0.1' }),
) {
  // @ts-expect-error -- no such path
  await api.GET('/v1/statement');
  // @ts-expect-error -- no such filter (speaker, not speakr)
  await api.GET('/v1/statements', { params: { query: { speakr: 'mumtaz-zahra-baloch' } } });
  // @ts-expect-error -- limit is a number
  await api.GET('/v1/statements', { params: { query: { limit: 'ten' } } });
  // @ts-expect-error -- the id is a path parameter, and it is required
  await api.GET('/v1/positions/{id}', {});
  // @ts-expect-error -- a stance the API does not know
  await api.PATCH('/v1/positions/{id}', { params: { path: { id: 'x' } }, body: { stance: 'furious' } });
  // @ts-expect-error -- a statement needs its text, kind, speakerId and sourceIds
  await api.POST('/v1/statements', { body: { text: 'Pakistan is not holding any talks with the TTP.' } });
  const { data } = await api.GET('/v1/statements/{id}', { params: { path: { id: 'fo-2024-04-04-no-talks-with-ttp' } } });
  // @ts-expect-error -- data is undefined when the answer is a problem
  data.text.trim();
  // @ts-expect-error -- statements have no `stance`
  data?.stance;
  const imported = await api.POST('/v1/imports', { body: {}, headers: { Authorization: 'Bearer x' } });
  // @ts-expect-error -- an import never answers POSITION_OVERLAP: problem codes are typed per operation
  if (imported.error?.code === 'POSITION_OVERLAP') return;
}
