import { Module } from '@nestjs/common';
import { AccountsModule, AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { ServiceAuthVerifier } from '@tributary/connector-bluesky';
import { TimelineModule } from '../timeline/timeline.module.js';
import { FeedGeneratorController } from './feed-generator.controller.js';
import { FeedInteractionsService } from './feed-interactions.service.js';
import { FeedSkeletonService } from './feed-skeleton.service.js';
import { PublishedFeedsResolver } from './published-feeds.resolver.js';
import { PublishedFeedsService } from './published-feeds.service.js';

/** A member's pipeline as a Bluesky custom feed (README "Your pipeline in the Bluesky app"). */
@Module({
  imports: [AccountsModule, TimelineModule],
  controllers: [FeedGeneratorController],
  providers: [
    {
      provide: ServiceAuthVerifier,
      inject: [CONFIG, AccountsService],
      // DID documents come from the PLC directory the operator names (and did:web hosts), under the
      // same address guard as every Bluesky service.
      useFactory: (config: Config, accounts: AccountsService) => {
        const plc = new URL(config.BLUESKY_PLC_URL);
        const policy = accounts.blueskyPolicy;
        return new ServiceAuthVerifier({
          plcUrl: config.BLUESKY_PLC_URL,
          hostPolicy: {
            allowHosts: [...policy.allowHosts, plc.host],
            allowHttp: policy.allowHttp || plc.protocol === 'http:',
          },
        });
      },
    },
    FeedSkeletonService,
    FeedInteractionsService,
    PublishedFeedsService,
    PublishedFeedsResolver,
  ],
})
export class FeedGeneratorModule {}
