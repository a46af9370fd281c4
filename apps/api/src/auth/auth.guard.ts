import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { AuthService } from './auth.service.js';
import type { GraphqlContext } from './auth.types.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Reads `Bearer <token>` from the HTTP header or the graphql-ws connection params. */
export function bearerToken(context: GraphqlContext): string | null {
  // On a graphql-ws operation the context may hold a `req` without headers: the token is in connectionParams.
  const header = context.req?.headers?.['authorization'] ?? context.connectionParams?.['authorization'];
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1] ?? null;
}

/** Global guard: every resolver needs a valid token unless marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    if (context.getType<string>() !== 'graphql') {
      // HTTP routes (health, OAuth callback) are public by design and say so; nothing else is.
      throw new AppException(AppErrorCode.Forbidden, 'not a public route');
    }
    const gql = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    if (gql.user) return true;
    const token = bearerToken(gql);
    const user = token ? await this.auth.authenticate(token) : null;
    if (!user) {
      throw new AppException(
        AppErrorCode.Unauthenticated,
        'a valid bearer token is required (Authorization: Bearer <token>)',
      );
    }
    gql.user = user;
    return true;
  }
}
