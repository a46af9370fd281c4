-- AlterEnum
ALTER TYPE "ActionKind" ADD VALUE 'QUOTE';
