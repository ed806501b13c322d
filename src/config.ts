// Service configuration: one schema for the environment, validated once at start.
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'an integer' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_PATH: Type.String({ minLength: 1, default: './data/statements.db' }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// URL' }),
  DATABASE_READ_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// URL' }),
  LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  AUTH_DISABLED: Type.Boolean({ default: false }),
  SEED: Type.Boolean({ default: true }),
  CORS_ORIGINS: Type.String({ default: '' }),
  RATE_LIMIT: Type.Integer({ minimum: 0, maximum: 1000000, default: 600, description: 'a whole number of requests per minute' }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5000, description: 'a whole number of milliseconds' }),
  BODY_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000, description: 'a whole number of milliseconds' }),
  IMPORT_TIMEOUT_MS: Type.Integer({
    minimum: 1000,
    maximum: 86_400_000,
    default: 3_600_000,
    description: 'a whole number of milliseconds',
  }),
});

export interface Config {
  port: number;
  host: string;
  /** A file path, or `:memory:` for a throw-away database. */
  databasePath: string;
  /** DATABASE_URL: PostgreSQL instead of the SQLite file when set. */
  databaseUrl?: string;
  /** DATABASE_READ_URL: a PostgreSQL replica for reads (only with DATABASE_URL). */
  databaseReadUrl?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Only an explicit AUTH_DISABLED=true makes writes anonymous. */
  authDisabled: boolean;
  /** Load the FO briefing seed into an empty database at start. */
  seed: boolean;
  /** Origins allowed by CORS: none (empty), a list, or `*`. */
  corsOrigins: string[];
  /** Requests per minute per key (per IP when anonymous); 0 turns the limit off. */
  rateLimit: number;
  /** On SIGTERM/SIGINT, how long to keep answering (with /ready failing) before the server closes. */
  shutdownGraceMs: number;
  /** How long any request but an import may take to arrive whole (408 after). */
  bodyTimeoutMs: number;
  /** How long an import may take to arrive whole: archives stream for a while. */
  importTimeoutMs: number;
}

/** What the storage is opened with: the SQLite file, or PostgreSQL when DATABASE_URL is set. */
export function storageOptions(config: Pick<Config, 'databasePath' | 'databaseUrl' | 'databaseReadUrl'>) {
  return { path: config.databasePath, url: config.databaseUrl, readUrl: config.databaseReadUrl };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const INTEGER = /^-?\d+$/;
const BOOLEAN: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

/** Reads the environment, applies defaults and fails with one message naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(EnvSchema.properties) as [string, { type?: string }][]) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (schema.type === 'integer') {
      raw[name] = INTEGER.test(text.trim()) ? Number(text) : text;
    } else if (schema.type === 'boolean') {
      raw[name] = BOOLEAN[text.trim().toLowerCase()] ?? text;
    } else {
      raw[name] = text;
    }
  }
  // Each variable is checked on its own, so one message names every bad one.
  for (const [name, value] of Object.entries(raw)) {
    const schema = EnvSchema.properties[name as keyof typeof EnvSchema.properties];
    if (!Value.Check(schema, value)) problems.push(`${name}=${JSON.stringify(env[name] ?? '')}: ${describe(schema)}`);
  }
  if (raw.DATABASE_READ_URL !== undefined && raw.DATABASE_URL === undefined) {
    problems.push('DATABASE_READ_URL: needs DATABASE_URL (a replica of which database?)');
  }
  const value = Value.Default(EnvSchema, raw);
  if (problems.length > 0) throw new ConfigError(problems);
  const env_ = value as Static<typeof EnvSchema>;
  return {
    port: env_.PORT,
    host: env_.HOST,
    databasePath: env_.DATABASE_PATH,
    ...(env_.DATABASE_URL ? { databaseUrl: env_.DATABASE_URL } : {}),
    ...(env_.DATABASE_READ_URL ? { databaseReadUrl: env_.DATABASE_READ_URL } : {}),
    logLevel: env_.LOG_LEVEL,
    authDisabled: env_.AUTH_DISABLED,
    seed: env_.SEED,
    corsOrigins: env_.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimit: env_.RATE_LIMIT,
    shutdownGraceMs: env_.SHUTDOWN_GRACE_MS,
    bodyTimeoutMs: env_.BODY_TIMEOUT_MS,
    importTimeoutMs: env_.IMPORT_TIMEOUT_MS,
  };
}

/** What a variable must be, said from its schema, so the limits are written once. */
function describe(schema: { type?: string; description?: string; minimum?: number; maximum?: number; anyOf?: { const?: unknown }[] }) {
  if (schema.type === 'integer') return `must be ${schema.description} from ${schema.minimum} to ${schema.maximum}`;
  if (schema.type === 'boolean') return 'must be true or false';
  if (schema.description && schema.type === 'string') return `must be ${schema.description}`;
  if (schema.anyOf) return `must be one of ${schema.anyOf.map((option) => option.const).join(', ')}`;
  return 'must be a non-empty string';
}
