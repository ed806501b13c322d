// loadConfig: defaults, conversion of environment strings, and one error naming every bad variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

/** Runs loadConfig expecting a ConfigError, and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

test('an empty environment gives the documented defaults', () => {
  assert.deepEqual(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databasePath: './data/statements.db',
    logLevel: 'info',
    authDisabled: false,
    seed: true,
    corsOrigins: [],
    rateLimit: 600,
    shutdownGraceMs: 5000,
    bodyTimeoutMs: 30_000,
    importTimeoutMs: 3_600_000,
  });
  // Empty values count as unset; variables the service does not know are ignored.
  assert.deepEqual(loadConfig({ PORT: '', LOG_LEVEL: '', PATH: '/usr/bin', HOME: '/root' }), loadConfig({}));
});

test('values are converted from their text', () => {
  assert.deepEqual(
    loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/var/lib/statements/db.sqlite',
      LOG_LEVEL: 'debug',
      AUTH_DISABLED: 'true',
      SEED: 'false',
      CORS_ORIGINS: 'https://dash.example, https://app.example',
      RATE_LIMIT: '0',
      SHUTDOWN_GRACE_MS: '15000',
      BODY_TIMEOUT_MS: '10000',
      IMPORT_TIMEOUT_MS: '7200000',
    }),
    {
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/var/lib/statements/db.sqlite',
      logLevel: 'debug',
      authDisabled: true,
      seed: false,
      corsOrigins: ['https://dash.example', 'https://app.example'],
      rateLimit: 0,
      shutdownGraceMs: 15000,
      bodyTimeoutMs: 10_000,
      importTimeoutMs: 7_200_000,
    },
  );
  assert.equal(loadConfig({ PORT: '0' }).port, 0);
  assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
  assert.equal(loadConfig({ PORT: ' 8081 ' }).port, 8081);
  assert.equal(loadConfig({ AUTH_DISABLED: 'false' }).authDisabled, false);
  assert.equal(loadConfig({ AUTH_DISABLED: '1' }).authDisabled, true);
  assert.equal(loadConfig({ AUTH_DISABLED: 'TRUE' }).authDisabled, true);
  assert.equal(loadConfig({ SEED: '0' }).seed, false);
  assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
  assert.equal(loadConfig({ DATABASE_PATH: ':memory:' }).databasePath, ':memory:');
  // No grace: the server closes as soon as the signal comes, still finishing the requests in flight.
  assert.equal(loadConfig({ SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs, 0);
  assert.equal(loadConfig({ SHUTDOWN_GRACE_MS: '300000' }).shutdownGraceMs, 300_000);
});

test('bad values stop the start with one error naming every bad variable', () => {
  const both = configError({ PORT: 'abc', LOG_LEVEL: 'loud', HOST: 'localhost' });
  assert.equal(both.name, 'ConfigError');
  assert.equal(both.problems.length, 2, both.message);
  assert.match(both.message, /PORT/);
  assert.match(both.message, /"abc"/);
  assert.match(both.message, /LOG_LEVEL/);
  assert.match(both.message, /"loud"/);
  assert.doesNotMatch(both.message, /HOST/);
  assert.ok(both.problems.some((p) => p.startsWith('PORT=') && /0 to 65535/.test(p)));
  assert.ok(both.problems.some((p) => p.startsWith('LOG_LEVEL=') && /info/.test(p)));

  for (const port of ['70000', '65536', '-1', '80.5', '3000abc', '0x50']) {
    const error = configError({ PORT: port });
    assert.deepEqual(
      error.problems.map((p) => p.split('=')[0]),
      ['PORT'],
      port,
    );
    assert.match(error.message, new RegExp(port.replace('.', '\\.')));
  }

  // A grace period is whole milliseconds, at most five minutes: not seconds with a unit, not negative.
  for (const grace of ['5s', '-1', '1.5', '300001', 'forever']) {
    const error = configError({ SHUTDOWN_GRACE_MS: grace });
    assert.deepEqual(error.problems, [
      `SHUTDOWN_GRACE_MS=${JSON.stringify(grace)}: must be a whole number of milliseconds from 0 to 300000`,
    ]);
  }

  // Only an explicit true or false turns auth off or keeps it on; anything else is refused, not read as false.
  for (const value of ['yes', 'on', 'enabled']) {
    const error = configError({ AUTH_DISABLED: value, SEED: value });
    assert.deepEqual(error.problems.map((p) => p.split('=')[0]).sort(), ['AUTH_DISABLED', 'SEED'], value);
  }

  // However many values are bad, and in whatever order, each one is named.
  const afterLogLevel = configError({ LOG_LEVEL: 'loud', AUTH_DISABLED: 'maybe' });
  assert.deepEqual(afterLogLevel.problems.map((p) => p.split('=')[0]).sort(), ['AUTH_DISABLED', 'LOG_LEVEL']);
  const all = configError({ PORT: 'x', LOG_LEVEL: 'x', AUTH_DISABLED: 'x', SEED: 'x' });
  assert.deepEqual(all.problems.map((p) => p.split('=')[0]).sort(), ['AUTH_DISABLED', 'LOG_LEVEL', 'PORT', 'SEED']);
});
