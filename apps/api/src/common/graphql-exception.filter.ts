import { Catch } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';

/**
 * Hands every resolver error to Apollo untouched, where `formatError` decides what the client sees
 * and logs only the unexpected ones (Nest would otherwise log expected errors like a bad token).
 */
@Catch()
export class GraphqlExceptionFilter implements GqlExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'graphql') throw exception;
    return exception;
  }
}
