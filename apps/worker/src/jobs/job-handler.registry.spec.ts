import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { JobHandler } from './job-handler.decorator.js';
import { JobHandlerRegistry, JobHandlerRegistryError } from './job-handler.registry.js';

@Injectable()
class NoHandlers {
  idle() {
    return 'nothing';
  }
}

@Injectable()
class Housekeeping {
  @JobHandler('housekeeping')
  async run() {
    return 'cleaned';
  }
}

@Injectable()
class HousekeepingAgain {
  @JobHandler('housekeeping')
  async again() {
    return 'again';
  }
}

async function registryWith(...providers: (new () => unknown)[]) {
  @Module({ imports: [DiscoveryModule], providers: [JobHandlerRegistry, ...providers] })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  return { app, registry: app.get(JobHandlerRegistry) };
}

describe('JobHandlerRegistry', () => {
  it('refuses to start when a job name has no handler, naming it', async () => {
    const { app, registry } = await registryWith(NoHandlers);
    expect(() => registry.discover()).toThrow(JobHandlerRegistryError);
    expect(() => registry.discover()).toThrow(
      /no handler for job\(s\): .*housekeeping.* — refusing to start/,
    );
    await app.close();
  });

  it('refuses two handlers for one job', async () => {
    const { app, registry } = await registryWith(Housekeeping, HousekeepingAgain);
    expect(() => registry.discover(['housekeeping'])).toThrow(
      /more than one handler for job\(s\): housekeeping/,
    );
    await app.close();
  });

  it('dispatches a job to its handler once every job is covered', async () => {
    const { app, registry } = await registryWith(Housekeeping);
    registry.discover(['housekeeping']);
    await expect(registry.run({ name: 'housekeeping', data: {} } as never)).resolves.toBe('cleaned');
    await app.close();
  });
});
