// `npm run keys -- create <name> | list | revoke <name>`: manage the API keys of the configured database.
import { ConfigError, loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { createKey, KeyError, listKeys, revokeKey } from '../modules/keys/keys.service.js';

const USAGE = `Usage:
  npm run keys -- create <name>   make a key; it is printed once, on the last line
  npm run keys -- list            names, prefixes and dates of all keys
  npm run keys -- revoke <name>   revoke a key; requests with it fail from then on
The database is DATABASE_PATH (default ./data/statements.db).`;

function main(args: string[]): number {
  const [command, name, ...rest] = args;
  if (!command || rest.length > 0 || ((command === 'create' || command === 'revoke') && !name) || (command === 'list' && name)) {
    console.error(USAGE);
    return 2;
  }
  const db = openDatabase(loadConfig(process.env).databasePath);
  try {
    migrateDatabase(db);
    switch (command) {
      case 'create': {
        const key = createKey(db, name as string);
        console.log(`Created key '${name}'. It is shown only this once; store it now:`);
        console.log(key);
        return 0;
      }
      case 'list': {
        const keys = listKeys(db);
        if (keys.length === 0) console.log('No keys yet: npm run keys -- create <name>');
        for (const k of keys) {
          console.log(`${k.name}\t${k.prefix}…\tcreated ${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}`);
        }
        return 0;
      }
      case 'revoke':
        revokeKey(db, name as string);
        console.log(`Revoked key '${name}'.`);
        return 0;
      default:
        console.error(`Unknown command '${command}'.\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof KeyError || error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    db.$client.close();
  }
}

process.exitCode = main(process.argv.slice(2));
