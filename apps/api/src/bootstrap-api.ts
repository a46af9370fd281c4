import { Logger } from '@nestjs/common';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { WebSocketServer } from 'ws';
import { requestLogger } from '@tributary/config';
import type { Config } from '@tributary/config';
import { ApiModule } from './api.module.js';
import { mountQueueDashboard } from './admin/queue-dashboard.js';
import { mountBeforeRoutes } from './common/mount-before-routes.js';
import { AuthService } from './auth/auth.service.js';
import { httpMetrics } from './metrics/request-metrics.js';

/**
 * The same limit on a graphql-ws message as on an HTTP body. Nest creates the WebSocketServer with
 * ws' default, 100 MiB buffered per message before anyone is authenticated, and takes no option for
 * it; ws reads `options.maxPayload` for each new connection.
 */
function limitWebSocketMessages(app: INestApplication, maxBytes: number): void {
  const driver = app.get(GraphQLModule, { strict: false }).graphQlAdapter as unknown as {
    _subscriptionService?: { wss?: WebSocketServer };
  };
  const wss = driver._subscriptionService?.wss;
  if (!wss) throw new Error('the graphql-ws server was not found to limit its message size');
  wss.options.maxPayload = maxBytes;
}

/** Starts the HTTP + GraphQL API and, on a brand-new instance, prints the one-time admin invite. */
export async function bootstrapApi(config: Config, database: DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, database), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  // First: a request the body parser refuses (not JSON, too large) is logged too.
  app.use(requestLogger(config));
  // Express's 100 kB default is below an uploaded plugin's 256 KiB (uploadPlugin checks its own
  // limit) and a createPost with images (base64, 4 × 1 MB for Bluesky; each network's limits are
  // checked by createPost).
  app.useBodyParser('json', { limit: `${config.HTTP_BODY_MAX_MB}mb` });
  // Which X-Forwarded-For to believe for `req.ip`, the key of the per-address login limits: by
  // default none, or any client could pick the address it is counted under.
  app.set('trust proxy', config.TRUST_PROXY);
  // No ETags: Express would hash every answer (SHA-1 over ~80 kB for a timeline page) for a header
  // no GraphQL client sends back (POST answers are never revalidated).
  app.set('etag', false);
  app.use(httpMetrics);
  mountQueueDashboard(app);
  await app.init();
  // Nest's default GraphQL path (api.module.ts sets none).
  mountBeforeRoutes(app.getHttpAdapter().getInstance(), '/graphql');
  limitWebSocketMessages(app, config.HTTP_BODY_MAX_MB * 1024 * 1024);
  // Nest hands `listen`'s first argument to http.Server.listen, which also takes an options object:
  // the only way to ask for reusePort.
  await app.listen({
    port: config.PORT,
    host: config.HOST,
    reusePort: config.HTTP_REUSE_PORT,
  } as unknown as number);
  const logger = new Logger('Tributary');
  logger.log(`GraphQL API on ${(await app.getUrl()).replace('[::1]', 'localhost')}/graphql`);
  const invite = await app.get(AuthService).bootstrapAdminInvite();
  if (invite) {
    logger.warn(
      `No users yet. Create the administrator account with this one-time invite:\n\n  ${invite}\n\n` +
        `  mutation { signUp(invite: "${invite}", username: "admin", password: "…") { token } }\n`,
    );
  }
  return app;
}
