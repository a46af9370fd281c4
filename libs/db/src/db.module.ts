// A thin Nest wrapper: the app provides the options (from libs/config) under DB_OPTIONS; this
// module opens the database once and closes it on shutdown.
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, FactoryProvider, ModuleMetadata, OnApplicationShutdown } from '@nestjs/common';
import { openDatabase } from './database.js';
import type { Database, DatabaseOptions } from './database.js';
import type { PrismaClient } from './prisma-client.js';

export const DB_OPTIONS = Symbol('DB_OPTIONS');
export const DATABASE = Symbol('DATABASE');

@Injectable()
export class PrismaService implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  get client(): PrismaClient {
    return this.db.prisma;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

export interface DbModuleOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...deps: never[]) => DatabaseOptions | Promise<DatabaseOptions>;
  inject?: FactoryProvider['inject'];
}

@Global()
@Module({})
export class DbModule {
  static forRootAsync(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      imports: options.imports ?? [],
      providers: [
        { provide: DB_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: DATABASE, useFactory: (o: DatabaseOptions) => openDatabase(o), inject: [DB_OPTIONS] },
        PrismaService,
      ],
      exports: [PrismaService, DATABASE],
    };
  }
}
