// The storage as `app.storage`: opened, migrated (and seeded when new) at registration, closed with the app.
import fp from 'fastify-plugin';
import { loadSeeds } from '../modules/imports/imports.seed.js';
import { openStorage, type Storage } from '../storage/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

export const dbPlugin = fp<{ databasePath: string; seed: boolean }>(
  async (app, { databasePath, seed }) => {
    const storage = await openStorage({ path: databasePath });
    const fresh = await storage.migrate((message) => app.log.info(message));
    // Only a new database is seeded: what users stored is never overwritten by a restart.
    if (seed && fresh) {
      for (const { file, result } of await loadSeeds(storage)) app.log.info({ counts: result.counts }, `seeded ${file}`);
    }
    app.decorate('storage', storage);
    app.addHook('onClose', async () => {
      await storage.close();
    });
  },
  { name: 'db' },
);
