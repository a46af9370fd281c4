ALTER TABLE "TimelineEntry" DROP CONSTRAINT "TimelineEntry_postId_fkey";
