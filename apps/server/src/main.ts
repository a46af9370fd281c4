// The one entry point: `npm start` runs API + worker in one process on embedded defaults;
// ROLE=api / ROLE=worker (npm run start:api / start:worker) run them apart for scale-out.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@tributary/config';
import type { Config } from '@tributary/config';
import { start } from './start.js';

const logger = new Logger('Tributary');

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78); // EX_CONFIG
}

const running = await start(config).catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `Tributary failed to start: ${error.message}`);
  process.exit(1);
});

// The last line of a start says where to go (after the invite, npm's and Nest's lines).
logger.log(
  running.apiUrl
    ? `ready: the web app at ${running.apiUrl}/ and the GraphQL API at ${running.apiUrl}/graphql` +
        (running.metricsUrl ? `, metrics at ${running.metricsUrl}` : '')
    : `ready: worker consuming the queues${running.metricsUrl ? `, metrics at ${running.metricsUrl}` : ''}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.log(`${signal}: shutting down`);
    running.stop().then(
      () => {
        logger.log('stopped cleanly');
        process.exit(0);
      },
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
