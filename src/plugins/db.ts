// The database handle as `app.db`: opened, migrated (and seeded when new) at registration, closed with the app.
import fp from 'fastify-plugin';
import { type Db, migrateDatabase, openDatabase } from '../storage/sqlite/client.js';
import { loadSeeds } from '../modules/imports/imports.seed.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export const dbPlugin = fp<{ databasePath: string; seed: boolean }>(
  async (app, { databasePath, seed }) => {
    const db = openDatabase(databasePath);
    const fresh = migrateDatabase(db);
    // Only a new database is seeded: what users stored is never overwritten by a restart.
    if (seed && fresh) {
      for (const { file, result } of loadSeeds(db)) app.log.info({ counts: result.counts }, `seeded ${file}`);
    }
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      db.$client.close();
    });
  },
  { name: 'db' },
);
