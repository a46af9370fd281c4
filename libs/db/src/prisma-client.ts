// The one place that imports the generated Prisma client; everything else imports from here.
// `generated/` belongs to no Nx project, hence the relative path the boundary rule flags.
/* eslint-disable @nx/enforce-module-boundaries */
import type { PrismaClient } from '../../../generated/prisma/client.js';
import type { Prisma } from '../../../generated/prisma/client.js';

export { PrismaClient, Prisma } from '../../../generated/prisma/client.js';
export type * from '../../../generated/prisma/client.js';

export type DbClient = PrismaClient | Prisma.TransactionClient;
