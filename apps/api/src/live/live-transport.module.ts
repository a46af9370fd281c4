import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { GraphqlWsServer } from './graphql-ws.server.js';

/** The graphql-ws options, injected into the GraphQL module's factory (it needs AuthService). */
@Module({
  imports: [AuthModule],
  providers: [GraphqlWsServer],
  exports: [GraphqlWsServer],
})
export class LiveTransportModule {}
