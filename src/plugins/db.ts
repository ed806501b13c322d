// The storage as `app.storage`: opened, migrated (and seeded when new) at registration, closed with the app.
import fp from 'fastify-plugin';
import { loadSeeds } from '../modules/imports/imports.seed.js';
import { openStorage, type Storage, type StorageConfig } from '../storage/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

export const dbPlugin = fp<{ storage: StorageConfig; seed: boolean }>(
  async (app, { storage: config, seed }) => {
    const storage = await openStorage(config);
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
