// Every table, in one place for drizzle-kit and the database handle's types.
export * from '../modules/actors/actors.table.js';
export * from '../modules/events/events.table.js';
export * from '../modules/idempotency/idempotency.table.js';
export * from '../modules/keys/keys.table.js';
export * from '../modules/positions/positions.table.js';
export * from '../modules/revisions/revisions.table.js';
export * from '../modules/sources/sources.table.js';
export * from '../modules/statements/statements.table.js';
export * from '../modules/topics/topics.table.js';
