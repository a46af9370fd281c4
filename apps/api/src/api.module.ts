import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '@tributary/config';
import { ConfigModule, loggerModule } from '@tributary/config';
import { QueueModule } from '@tributary/queue';
import { AccountsModule } from './accounts/accounts.module.js';
import { ActionsModule } from './actions/actions.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BookmarksModule } from './bookmarks/bookmarks.module.js';
import { DateTimeScalar } from './common/date-time.scalar.js';
import { formatError } from './common/format-error.js';
import { ApolloExpressDriver } from './common/graphql-http.js';
import { GraphqlExceptionFilter } from './common/graphql-exception.filter.js';
import { jitGateway, withoutPropertyResolvers } from './common/jit-execution.js';
import { MAX_DOCUMENT_TOKENS } from './common/input-checks.js';
import { queryLimitsPlugin } from './common/query-limits.js';
import { queryLimits, validationRules } from './common/validation-rules.js';
import { FeedGeneratorModule } from './feed-generator/feed-generator.module.js';
import { HealthController } from './health/health.controller.js';
import { MastodonApiModule } from './mastodon-api/mastodon-api.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { graphqlMetricsPlugin } from './metrics/request-metrics.js';
import { MembersModule } from './members/members.module.js';
import { PostsModule } from './posts/posts.module.js';
import { ProfilesModule } from './profiles/profiles.module.js';
import { SearchModule } from './search/search.module.js';
import { WebClientController } from './web/web-client.controller.js';
import { GraphqlWsServer, graphqlContext } from './live/graphql-ws.server.js';
import { LiveTransportModule } from './live/live-transport.module.js';
import { LiveModule } from './live/live.module.js';
import { PipelinesModule } from './pipelines/pipelines.module.js';
import { FilterListsModule } from './filter-lists/filter-lists.module.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { TimelineModule } from './timeline/timeline.module.js';
import { ViewerStateModule } from './viewer-state/viewer-state.module.js';

export const SCHEMA_FILE = 'apps/api/schema.graphql';

@Module({})
export class ApiModule {
  /**
   * @param database the database module, opened once by the launcher (in single-process mode the
   *   worker shares it: an embedded PGlite must have exactly one owner).
   */
  static forRoot(config: Config, database: DynamicModule): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        loggerModule(config),
        database,
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          // Apollo on Express as Nest's ApolloDriver, through a leaner HTTP integration (graphql-http.ts).
          driver: ApolloExpressDriver,
          imports: [LiveTransportModule],
          inject: [GraphqlWsServer],
          useFactory: (ws: GraphqlWsServer): ApolloDriverConfig => {
            let schema: GraphQLSchema | undefined;
            const options: ApolloDriverConfig = {
              // Development keeps the committed schema.graphql current; production builds it in memory.
              autoSchemaFile: config.NODE_ENV === 'production' ? true : SCHEMA_FILE,
              sortSchema: true,
              // DateTime also prints stored ISO text (a post's dates) without a Date in between.
              buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
              introspection: config.GRAPHQL_INTROSPECTION,
              includeStacktraceInErrorResponses: false,
              playground: false,
              context: graphqlContext,
              formatError,
              // Parsing stops past this many tokens, before building a tree of a megabytes-long query.
              parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
              // Depth, fields and literals need only the document; cost needs the variables
              // (`first: $n`), hence a plugin.
              validationRules: validationRules(config),
              // Cache-control hints are unused here, and the plugin instruments every resolved field.
              plugins: [
                queryLimitsPlugin(queryLimits(config)),
                ApolloServerPluginCacheControlDisabled(),
                graphqlMetricsPlugin(),
              ],
              // Subscriptions over graphql-ws on the same path, authenticated at connection.
              subscriptions: { 'graphql-ws': ws.options() },
              transformSchema: (built: GraphQLSchema) => (schema = withoutPropertyResolvers(built)),
            };
            // Queries and mutations run compiled (jit-execution.ts) over the schema Nest built. Nest's
            // config type leaves `gateway` out (it means Federation there); the driver hands it to
            // Apollo Server as it is.
            const gateway = jitGateway(() => {
              if (!schema) throw new Error('the GraphQL schema was not built before Apollo started');
              return schema;
            });
            return Object.assign(options, { gateway });
          },
        }),
        AuthModule,
        AccountsModule,
        PostsModule,
        ProfilesModule,
        SearchModule,
        ViewerStateModule,
        BookmarksModule,
        PipelinesModule,
        FilterListsModule,
        PluginsModule,
        ActionsModule,
        TimelineModule,
        LiveModule,
        FeedGeneratorModule,
        MastodonApiModule,
        MembersModule,
        NotificationsModule,
      ],
      controllers: [HealthController, WebClientController],
      providers: [{ provide: APP_FILTER, useClass: GraphqlExceptionFilter }],
    };
  }
}
