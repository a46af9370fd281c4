import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { JOB_NAMES } from '@tributary/queue';
import type { JobName } from '@tributary/queue';
import { JobHandler } from './job-handler.decorator.js';
import { JobHandlerRegistry, JobHandlerRegistryError } from './job-handler.registry.js';

@Injectable()
class SyncHandlers {
  @JobHandler('sync-source')
  async sync() {
    return 'synced';
  }
}

@Injectable()
class DuplicateSyncHandler {
  @JobHandler('sync-source')
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
    const { app, registry } = await registryWith(SyncHandlers);
    const missing = JOB_NAMES.filter((n) => n !== 'sync-source');
    expect(() => registry.discover()).toThrow(JobHandlerRegistryError);
    expect(() => registry.discover()).toThrow(new RegExp(`no handler for job\\(s\\): ${missing.join(', ')}`));
    await app.close();
  });

  it('refuses two handlers for one job', async () => {
    const { app, registry } = await registryWith(SyncHandlers, DuplicateSyncHandler);
    expect(() => registry.discover(['sync-source'])).toThrow(/more than one handler for job\(s\): sync-source/);
    await app.close();
  });

  it('dispatches a job to its handler once every required name is covered', async () => {
    const { app, registry } = await registryWith(SyncHandlers);
    registry.discover(['sync-source'] as JobName[]);
    const job = { name: 'sync-source', data: { sourceId: 's1' } };
    await expect(registry.run(job as never)).resolves.toBe('synced');
    await app.close();
  });
});
