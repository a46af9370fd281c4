-- AlterEnum
ALTER TYPE "ActionKind" ADD VALUE 'FOLLOW';
ALTER TYPE "ActionKind" ADD VALUE 'UNFOLLOW';
ALTER TYPE "ActionKind" ADD VALUE 'MUTE';
ALTER TYPE "ActionKind" ADD VALUE 'UNMUTE';
ALTER TYPE "ActionKind" ADD VALUE 'BLOCK';
ALTER TYPE "ActionKind" ADD VALUE 'UNBLOCK';

-- CreateTable
CREATE TABLE "FetchedPost" (
    "linkedAccountId" UUID NOT NULL,
    "postId" BIGINT NOT NULL,
    "labels" JSONB,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FetchedPost_pkey" PRIMARY KEY ("linkedAccountId","postId")
);

-- CreateIndex
CREATE INDEX "FetchedPost_postId_idx" ON "FetchedPost"("postId");

-- AddForeignKey
ALTER TABLE "FetchedPost" ADD CONSTRAINT "FetchedPost_linkedAccountId_fkey" FOREIGN KEY ("linkedAccountId") REFERENCES "LinkedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FetchedPost" ADD CONSTRAINT "FetchedPost_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
