import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { AuthResolver } from './auth.resolver.js';
import { AuthService } from './auth.service.js';
import { LoginLimits } from './login-limits.js';
import { Passwords } from './passwords.js';
import { TokenRevocations } from './token-revocations.js';

@Module({
  providers: [
    AuthService,
    AuthResolver,
    TokenRevocations,
    Passwords,
    LoginLimits,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, TokenRevocations],
})
export class AuthModule {}
