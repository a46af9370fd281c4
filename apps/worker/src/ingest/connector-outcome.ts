import type { Logger } from '@nestjs/common';
import type { AccountsService } from '@tributary/accounts';
import { AccountStatus, ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { NetworkConnector } from '@tributary/core';
import type { LinkedAccount } from '@tributary/db';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';

/**
 * Runs `work` with the account's connector and turns network failures into the right job outcome:
 * rejected credentials stop the account's jobs (no retries), rate limits delay the job until the
 * reset without using up an attempt, outages retry with backoff and after the last attempt mark
 * the account ERROR; anything the network refused (`recordError` keeps it, told it was `refused`)
 * is not retried.
 */
export async function withConnector<T>(
  ctx: { accounts: AccountsService; logger: Logger; job: Job; token: string | undefined },
  account: LinkedAccount,
  recordError: (message: string, refused: boolean) => Promise<void>,
  work: (connector: NetworkConnector) => Promise<T>,
): Promise<T> {
  const { accounts, logger, job, token } = ctx;
  try {
    return await work(await accounts.connectorFor(account));
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    switch (error.code) {
      case ConnectorErrorCode.Auth:
        await accounts.markNeedsReauth(account.id, error.message);
        throw new UnrecoverableError(`needs re-auth: ${error.message}`);
      case ConnectorErrorCode.RateLimited: {
        const until = error.retryAt?.getTime() ?? Date.now() + 60_000;
        logger.log(`${job.name} ${job.id}: rate limited until ${new Date(until).toISOString()}`);
        await job.moveToDelayed(until, token);
        throw new DelayedError();
      }
      case ConnectorErrorCode.Unavailable: {
        await recordError(error.message, false);
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await accounts.setStatus(account.id, AccountStatus.Error, error.message);
        }
        throw error;
      }
      default:
        // BAD_INPUT / NOT_FOUND: a deleted feed or list, say. Retrying would not help.
        await recordError(error.message, true);
        throw new UnrecoverableError(error.message);
    }
  }
}
