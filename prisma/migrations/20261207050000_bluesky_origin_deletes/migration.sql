-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "deletedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "SourcePost" ADD COLUMN     "reasonUri" TEXT;

-- CreateTable
CREATE TABLE "RecordTombstone" (
    "uri" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecordTombstone_pkey" PRIMARY KEY ("uri")
);

-- Existing repost reasons, so that deleting a repost finds the rows it brought.
UPDATE "SourcePost" SET "reasonUri" = "reason"->>'uri' WHERE "reason" IS NOT NULL;

-- CreateIndex
CREATE INDEX "SourcePost_reasonUri_idx" ON "SourcePost"("reasonUri");
