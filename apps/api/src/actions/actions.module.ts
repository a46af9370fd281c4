import { Module } from '@nestjs/common';
import { ActionsReader } from './actions-reader.service.js';
import { ActionsResolver } from './actions.resolver.js';

@Module({
  providers: [ActionsReader, ActionsResolver],
  exports: [ActionsReader],
})
export class ActionsModule {}
