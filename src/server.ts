// The process: read the environment, build the app, listen; on SIGINT/SIGTERM drain, then close and exit.
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await buildApp({ ...config, shedLoad: true });
  await app.listen({ port: config.port, host: config.host });

  // Closing at once would drop connections that race the close (a client that has just connected or sent its next
  // request on a keep-alive connection gets a reset). So first drain: /ready fails, so load balancers stop sending,
  // and every answer says Connection: close, so keep-alive clients move off; requests are still answered. After the
  // grace period, stop listening, finish the requests in flight, close the database. A second signal exits at once.
  let draining = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (draining) {
        app.log.warn(`${signal} again: exiting without finishing the drain`);
        process.exit(1);
      }
      draining = true;
      app.log.info(`${signal}: draining for ${config.shutdownGraceMs} ms, then closing`);
      app.drain();
      setTimeout(() => {
        app.log.info('drained: closing');
        app.close().then(
          () => process.exit(0),
          (error) => {
            app.log.error(error, 'close failed');
            process.exit(1);
          },
        );
      }, config.shutdownGraceMs);
    });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
