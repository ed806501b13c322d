// Every table, in one place for drizzle-kit and the database handle's types.
export * from './tables/actors.table.js';
export * from './tables/events.table.js';
export * from './tables/idempotency.table.js';
export * from './tables/keys.table.js';
export * from './tables/positions.table.js';
export * from './tables/revisions.table.js';
export * from './tables/sources.table.js';
export * from './tables/statements.table.js';
export * from './tables/topics.table.js';
