import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTestDatabase } from '@tributary/testing';
import { DB_OPTIONS, DbModule, PrismaService } from './db.module.js';

jest.setTimeout(60_000);

/** Boots a Nest application context (as the worker does) around one dynamic module. */
async function boot(dbModule: DynamicModule) {
  @Module({ imports: [dbModule] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  app.enableShutdownHooks();
  return app;
}

describe('DbModule', () => {
  it('forRoot shares an open database and leaves closing to its owner', async () => {
    const db = await createTestDatabase();
    try {
      const moduleRef = await boot(
        DbModule.forRoot({ prisma: db.prisma, sql: db.sql, kind: 'postgres', close: db.drop }),
      );
      const service = moduleRef.get(PrismaService);
      expect(await service.client.user.count()).toBe(0);
      await moduleRef.close();
      expect(await db.prisma.user.count()).toBe(0); // still open
    } finally {
      await db.drop();
    }
  });

  it('forRootAsync opens the database from provided options (migrating PGlite) and closes it on shutdown', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-dbmodule-'));
    try {
      const moduleRef = await boot(DbModule.forRootAsync({ useFactory: () => ({ dataDir, migrate: true }) }));
      const service = moduleRef.get(PrismaService);
      await service.client.user.create({ data: { username: 'nest', passwordHash: 'x' } });
      expect(moduleRef.get(DB_OPTIONS)).toEqual({ dataDir, migrate: true });
      await moduleRef.close();
      await expect(service.client.user.count()).rejects.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // Every migration runs on an embedded PostgreSQL compiled to WebAssembly: ~5 s alone, over the
    // suite's 60 s on a machine busy with the other suites.
  }, 180_000);
});
