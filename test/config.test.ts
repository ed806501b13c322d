// loadConfig: defaults, conversion of environment strings, and one error naming every bad variable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

/** The variables a ConfigError names, sorted. */
const named = (error: ConfigError) => error.problems.map((p) => p.split('=')[0]).sort();

describe('config: defaults', () => {
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
  });

  test('empty values count as unset, and variables the service does not know are ignored', () => {
    assert.deepEqual(loadConfig({ PORT: '', LOG_LEVEL: '', PATH: '/usr/bin', HOME: '/root' }), loadConfig({}));
  });
});

describe('config: values converted from their text', () => {
  test('every variable set is converted to its setting', () => {
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
  });

  test('a port is any whole number from 0 to 65535, spaces around it ignored', () => {
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
    assert.equal(loadConfig({ PORT: ' 8081 ' }).port, 8081);
  });

  test('a flag is true for true, TRUE or 1, and false for false or 0', () => {
    assert.equal(loadConfig({ AUTH_DISABLED: 'false' }).authDisabled, false);
    assert.equal(loadConfig({ AUTH_DISABLED: '1' }).authDisabled, true);
    assert.equal(loadConfig({ AUTH_DISABLED: 'TRUE' }).authDisabled, true);
    assert.equal(loadConfig({ SEED: '0' }).seed, false);
  });

  test('the log level can be silent', () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
  });

  test('the database can be in memory', () => {
    assert.equal(loadConfig({ DATABASE_PATH: ':memory:' }).databasePath, ':memory:');
  });

  test('a grace period runs from none to five minutes', () => {
    // No grace: the server closes as soon as the signal comes, still finishing the requests in flight.
    assert.equal(loadConfig({ SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs, 0);
    assert.equal(loadConfig({ SHUTDOWN_GRACE_MS: '300000' }).shutdownGraceMs, 300_000);
  });
});

describe('config: bad values stop the start with one error naming every bad variable', () => {
  test('the error names each bad variable with its value and what it must be, and no good one', () => {
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
  });

  for (const port of ['70000', '65536', '-1', '80.5', '3000abc', '0x50']) {
    test(`a port that is not a whole number from 0 to 65535 is refused: ${port}`, () => {
      const error = configError({ PORT: port });
      assert.deepEqual(
        error.problems.map((p) => p.split('=')[0]),
        ['PORT'],
        port,
      );
      assert.match(error.message, new RegExp(port.replace('.', '\\.')));
    });
  }

  // A grace period is whole milliseconds, at most five minutes: not seconds with a unit, not negative.
  for (const grace of ['5s', '-1', '1.5', '300001', 'forever']) {
    test(`a grace period that is not whole milliseconds up to five minutes is refused: ${grace}`, () => {
      const error = configError({ SHUTDOWN_GRACE_MS: grace });
      assert.deepEqual(error.problems, [
        `SHUTDOWN_GRACE_MS=${JSON.stringify(grace)}: must be a whole number of milliseconds from 0 to 300000`,
      ]);
    });
  }

  // Only an explicit true or false turns auth off or keeps it on; anything else is refused, not read as false.
  for (const value of ['yes', 'on', 'enabled']) {
    test(`a flag that is not an explicit true or false is refused, not read as false: ${value}`, () => {
      assert.deepEqual(named(configError({ AUTH_DISABLED: value, SEED: value })), ['AUTH_DISABLED', 'SEED'], value);
    });
  }

  test('a bad value after a bad log level is named too', () => {
    assert.deepEqual(named(configError({ LOG_LEVEL: 'loud', AUTH_DISABLED: 'maybe' })), ['AUTH_DISABLED', 'LOG_LEVEL']);
  });

  test('however many values are bad, each one is named', () => {
    assert.deepEqual(named(configError({ PORT: 'x', LOG_LEVEL: 'x', AUTH_DISABLED: 'x', SEED: 'x' })), [
      'AUTH_DISABLED',
      'LOG_LEVEL',
      'PORT',
      'SEED',
    ]);
  });
});
