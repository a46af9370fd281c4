-- AlterEnum
ALTER TYPE "ActionKind" ADD VALUE 'EDIT';
