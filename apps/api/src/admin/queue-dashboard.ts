import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { JOB_QUEUE, JobQueue } from '@tributary/queue';
import type { JobName } from '@tributary/queue';
import { AuthService } from '../auth/auth.service.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The API token in `Authorization`: `Bearer <token>`, or HTTP Basic with the token as password (the
 * user name is ignored), which is what a browser prompts for when it opens the dashboard.
 */
export function dashboardToken(header: string | undefined): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/** Lets only administrators through: 401 (with a Basic challenge) without a valid token, 403 for members. */
function adminsOnly(auth: AuthService) {
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const token = dashboardToken(req.headers.authorization);
    const refuse = (status: number, message: string) => {
      if (status === 401)
        res.setHeader(
          'www-authenticate',
          'Basic realm="Tributary queues: an administrator\'s API token as password"',
        );
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
    };
    if (token === null) return refuse(401, 'an administrator’s API token is required');
    auth.authenticate(token).then(
      (user) => {
        if (user === null) return refuse(401, 'an administrator’s API token is required');
        if (user.role !== 'ADMIN') return refuse(403, 'only administrators may see the queues');
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * bull-board (the BullMQ ecosystem's queue dashboard) at /admin/queues, for administrators: every
 * queue's jobs by state, their data, errors and logs, with retry and clean.
 */
export function mountQueueDashboard(app: INestApplication): void {
  const jobs = app.get(JobQueue);
  const queueOf = new Map(Object.entries(JOB_QUEUE).map(([name, queue]) => [queue, name as JobName]));
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [...queueOf.values()].map((name) => new BullMQAdapter(jobs.queue(name))),
    // @bull-board/express 9.10.1 (the newest) brings its own @bull-board/api 9.10.1 beside our 9.10.2:
    // the same interface, declared twice. Pinning @bull-board/api to 9.10.1 makes this cast unneeded.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  app.use(QUEUE_DASHBOARD_PATH, adminsOnly(app.get(AuthService)), serverAdapter.getRouter());
}
