-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "backfillCursor" TEXT;
