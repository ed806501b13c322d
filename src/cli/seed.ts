// `npm run db:seed`: upsert the bundles in seeds/ into DATABASE_PATH through the import service.
// Records the seed defines are reset to the seed's values; nothing else is touched.
import { loadConfig, storageOptions } from '../config.js';
import { AppError } from '../lib/errors.js';
import { loadSeeds } from '../modules/imports/imports.seed.js';
import { openStorage } from '../storage/index.js';

try {
  const storage = await openStorage(storageOptions(loadConfig(process.env)));
  await storage.migrate();
  for (const { file, result } of await loadSeeds(storage)) {
    const summary = Object.entries(result.counts)
      .map(([entity, c]) => `${entity}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`)
      .join('; ');
    console.log(`${file}: ${summary}`);
  }
  await storage.close();
} catch (error) {
  if (error instanceof AppError) console.error(error.detail, JSON.stringify(error.extra.errors ?? [], null, 2));
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
