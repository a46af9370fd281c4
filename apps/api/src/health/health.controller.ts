import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { Public } from '../auth/public.decorator.js';

/** How long one dependency may take to answer a readiness check. */
const CHECK_TIMEOUT_MS = 2000;

type Check = 'ok' | string;

/**
 * `/health`: liveness (the process answers; no dependency is asked, so a load balancer does not
 * restart an API that only waits for PostgreSQL). `/ready`: readiness, 503 naming each dependency
 * that does not answer, so an orchestrator sends no traffic and an operator sees what is missing.
 */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const [database, redis] = await Promise.all([
      check(() => this.db.sql.query('SELECT 1')),
      check(() => this.jobs.ping()),
    ]);
    const checks: Record<string, Check> = { database, redis };
    const missing = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    if (missing.length > 0) throw new ServiceUnavailableException({ status: 'unavailable', missing, checks });
    return { status: 'ready', missing, checks };
  }
}

/** 'ok', or why the dependency did not answer (within CHECK_TIMEOUT_MS). */
async function check(probe: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return 'ok';
  } catch (error) {
    return (error as Error).message.split('\n').filter(Boolean).slice(-1)[0] ?? 'failed';
  } finally {
    clearTimeout(timer);
  }
}
