ALTER TABLE "TimelineEntry" DROP CONSTRAINT "TimelineEntry_userId_fkey";

DROP INDEX "TimelineEntry_userId_idx";
