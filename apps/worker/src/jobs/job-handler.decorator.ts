import { SetMetadata } from '@nestjs/common';
import type { JobName } from '@tributary/queue';

export const JOB_HANDLER = 'tributary:job-handler';

/**
 * Marks the method that handles one job name. Handlers are found at start-up; the worker refuses
 * to start if any job name in libs/queue has none (or two). Handlers must be idempotent: BullMQ
 * delivers at least once.
 */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);
