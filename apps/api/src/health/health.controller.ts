import { Public } from '../auth/public.decorator.js';
import { Controller, Get } from '@nestjs/common';

/** Liveness for load balancers and compose health checks; no auth, no data. */
@Public()
@Controller('health')
export class HealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}
