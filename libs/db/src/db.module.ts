// A thin Nest wrapper over openDatabase. Either the app opens the database itself and hands it in
// (`forRoot(database)`: the caller closes it, e.g. when API and worker share one handle), or the
// module opens it from options the app provides (`forRootAsync`) and closes it on shutdown.
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, FactoryProvider, ModuleMetadata, OnApplicationShutdown } from '@nestjs/common';
import { openDatabase } from './database.js';
import type { Database, DatabaseOptions } from './database.js';
import type { PrismaClient } from './prisma-client.js';
import type { SqlDatabase } from './sql.js';

export const DB_OPTIONS = Symbol('DB_OPTIONS');
export const DATABASE = Symbol('DATABASE');

@Injectable()
export class PrismaService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  get client(): PrismaClient {
    return this.db.prisma;
  }

  /** Hand-written SQL without Prisma's row conversion, for the hot paths (see sql.ts). */
  get sql(): SqlDatabase {
    return this.db.sql;
  }
}

/** Closes a database the module opened itself. */
@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

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
  /** Uses an open database; its owner closes it. */
  static forRoot(database: Database): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DATABASE, useValue: database }, PrismaService],
      exports: [PrismaService, DATABASE],
    };
  }

  /** Opens the database from the options the app provides (e.g. from its config) and owns it. */
  static forRootAsync(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      imports: options.imports ?? [],
      providers: [
        { provide: DB_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: DATABASE, useFactory: (o: DatabaseOptions) => openDatabase(o), inject: [DB_OPTIONS] },
        DatabaseCloser,
        PrismaService,
      ],
      exports: [PrismaService, DATABASE],
    };
  }
}
