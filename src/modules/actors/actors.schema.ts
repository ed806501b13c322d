// The HTTP contract of actors.
import { type Static, Type } from 'typebox';
import { CountryCode, EnumFilter, entitySchemas, Id, IdFilter, listQuery, Nullable, StringEnum, Text } from '../../lib/schemas.js';
import { ACTOR_KINDS } from '../../lib/vocabularies.js';

export const ActorFields = {
  name: Text(300, 'The name in common English use.'),
  kind: StringEnum(ACTOR_KINDS, 'What sort of actor this is.'),
  countryCode: Nullable(CountryCode),
  parentId: Nullable({ ...Id, description: 'The actor this one belongs to (the Foreign Office → Pakistan).' }),
  aliases: Type.Array(Text(300), { uniqueItems: true, maxItems: 100, description: 'Other names: abbreviations, spellings, later names.' }),
  description: Nullable(Text(5000)),
};

export const {
  record: ActorSchema,
  create: ActorCreateSchema,
  patch: ActorPatchSchema,
} = entitySchemas('Actor', ActorFields, ['name', 'kind'], {
  description: 'A state, government body, organization, group or person that makes statements or holds positions.',
});
export type Actor = Static<typeof ActorSchema>;
export type ActorFieldValues = Omit<Actor, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export const ACTOR_SORTS = ['id', 'name', 'createdAt', 'updatedAt'] as const;
export const ActorListQuerySchema = listQuery(ACTOR_SORTS, 'id', {
  // So a page that shows many actors by id (the explorer's stance matrix) names them in one request.
  id: IdFilter('Only these actors (up to a page of them: set `limit`).'),
  kind: EnumFilter(ACTOR_KINDS, 'Only actors of these kinds.'),
  countryCode: Type.String({ pattern: '^[A-Z]{3}(?:,[A-Z]{3})*$', description: 'Only actors of these countries (PAK,AFG).' }),
  parent: IdFilter('Only actors whose parent is one of these ids.'),
});
