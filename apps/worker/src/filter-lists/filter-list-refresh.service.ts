import { Injectable } from '@nestjs/common';
import type { JobPayloads } from '@tributary/queue';
import { FilterListService } from '@tributary/timeline';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * Keeps filter lists current: every minute the lists whose time has come (their declared expiry,
 * bounded) are queued, and each refresh stores a new version only when the rules changed, then
 * rebuilds the pipelines subscribed to it. Both are idempotent.
 */
@Injectable()
export class FilterListRefreshService {
  constructor(private readonly lists: FilterListService) {}

  @JobHandler('check-filter-lists')
  async check(): Promise<{ queued: number }> {
    return { queued: await this.lists.checkDue() };
  }

  @JobHandler('refresh-filter-list')
  async refresh({ listId }: JobPayloads['refresh-filter-list']) {
    // A failed fetch is recorded on the list (and tried again at its next check), not thrown.
    return this.lists.refresh(listId);
  }
}
