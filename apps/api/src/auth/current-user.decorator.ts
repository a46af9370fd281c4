import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AuthenticatedUser } from './auth.types.js';

/** The authenticated caller; resolvers scope every query by `user.id`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser =>
    GqlExecutionContext.create(context).getContext<{ user: AuthenticatedUser }>().user,
);
