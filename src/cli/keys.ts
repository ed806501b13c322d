// `npm run keys -- create <name> | list | revoke <name>`: manage the API keys of the configured database.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, storageOptions } from '../config.js';
import type { KeyScope } from '../lib/vocabularies.js';
import { createKey, KeyError, listKeys, revokeKey } from '../modules/keys/keys.service.js';
import { openStorage } from '../storage/index.js';

const USAGE = `Usage:
  npm run keys -- create <name> [--scope write] [--expires-in 90d | --expires 2027-01-01]
                                  make a key; it is printed once, on the last line.
                                  Scopes (comma-separated): read, write (default), admin.
  npm run keys -- list            names, prefixes, scopes and dates of all keys
  npm run keys -- revoke <name>   revoke a key; requests with it fail from then on
The database is DATABASE_PATH (default ./data/statements.db).`;

const DURATION = /^(\d+)([dh])$/;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, name, ...rest] = positionals;
  const createOnly = values.scope !== undefined || values.expires !== undefined || values['expires-in'] !== undefined;
  if (
    !command ||
    rest.length > 0 ||
    ((command === 'create' || command === 'revoke') && !name) ||
    (command === 'list' && name) ||
    (createOnly && command !== 'create') ||
    (values.expires !== undefined && values['expires-in'] !== undefined)
  ) {
    console.error(USAGE);
    return 2;
  }
  let expiresAt: string | null = values.expires ?? null;
  if (values['expires-in'] !== undefined) {
    const match = DURATION.exec(values['expires-in']);
    if (!match) {
      console.error(`--expires-in takes a number of days or hours, like 90d or 12h.\n${USAGE}`);
      return 2;
    }
    const hours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
    expiresAt = new Date(Date.now() + hours * 3_600_000).toISOString();
  }
  const scopes = values.scope ? (values.scope.split(',').map((s) => s.trim()) as KeyScope[]) : undefined;
  const storage = await openStorage(storageOptions(loadConfig(process.env)));
  try {
    await storage.migrate();
    switch (command) {
      case 'create': {
        const key = await createKey(storage, name as string, { scopes, expiresAt });
        const expiry = expiresAt ? `, expires ${new Date(expiresAt).toISOString()}` : '';
        console.log(`Created key '${name}' (${(scopes ?? ['write']).join(', ')}${expiry}). It is shown only this once; store it now:`);
        console.log(key);
        return 0;
      }
      case 'list': {
        const keys = await listKeys(storage);
        if (keys.length === 0) console.log('No keys yet: npm run keys -- create <name>');
        for (const k of keys) {
          const state = k.revokedAt
            ? `revoked ${k.revokedAt}`
            : k.expiresAt && k.expiresAt <= new Date().toISOString()
              ? `expired ${k.expiresAt}`
              : 'active';
          const expiry = k.expiresAt && !k.revokedAt ? `\texpires ${k.expiresAt}` : '';
          console.log(
            `${k.name}\t${k.prefix}…\t${k.scopes.join(',')}\t${state}\tcreated ${k.createdAt}${expiry}\tlast used ${k.lastUsedAt ?? 'never'}`,
          );
        }
        return 0;
      }
      case 'revoke':
        await revokeKey(storage, name as string);
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
    await storage.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { scope: { type: 'string' }, expires: { type: 'string' }, 'expires-in': { type: 'string' } },
  });
}

process.exitCode = await main(process.argv.slice(2));
