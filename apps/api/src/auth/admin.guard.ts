import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import type { GraphqlContext } from './auth.types.js';

/** For instance administration (invites). Runs after the global AuthGuard. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { user } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    if (user?.role !== 'ADMIN')
      throw new AppException(AppErrorCode.Forbidden, 'only administrators may do this');
    return true;
  }
}
