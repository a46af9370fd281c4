-- AlterEnum
ALTER TYPE "ActionKind" ADD VALUE 'VOTE';
