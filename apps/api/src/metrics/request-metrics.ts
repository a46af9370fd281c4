import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { graphqlDuration, httpDuration, secondsSince } from '@tributary/metrics';

/**
 * Times every HTTP request, labelled by the route that answered it: Express's pattern for a
 * controller's route (`/api/v1/statuses/:id`, never the ids), else the path of what answered
 * (`/graphql`, mounted by Apollo; a static file), or `unmatched` for a 404 (any path a client
 * makes up would be a new series).
 */
export function httpMetrics(
  req: IncomingMessage & { route?: { path?: string }; baseUrl?: string; originalUrl?: string },
  res: ServerResponse,
  next: () => void,
): void {
  const started = performance.now();
  res.once('finish', () => {
    // A Nest middleware bound to a path (`forRoutes`) leaves its pattern, `/graphql{/*splat}`: the
    // path it guards is the label.
    const route = req.route?.path
      ? `${req.baseUrl ?? ''}${req.route.path}`.replace(/\{\/\*\w+\}$/, '') || '/'
      : res.statusCode === 404
        ? 'unmatched'
        : (req.originalUrl ?? req.url ?? '').split('?')[0]!;
    httpDuration.observe(
      { method: req.method ?? 'GET', route, status: String(res.statusCode) },
      secondsSince(started),
    );
  });
  next();
}

/**
 * Times GraphQL operations (over HTTP; subscriptions run for their connection's lifetime), labelled
 * by type and first root field: the schema bounds those, while operation names are the client's.
 */
export function graphqlMetricsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      let type = 'unknown';
      let field = 'unknown';
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          type = operation.operation;
          const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
          if (first?.kind === Kind.FIELD) field = first.name.value;
        },
        async willSendResponse({ errors }) {
          graphqlDuration.observe(
            { type, field, errors: errors && errors.length > 0 ? 'true' : 'false' },
            secondsSince(started),
          );
        },
      };
    },
  };
}
