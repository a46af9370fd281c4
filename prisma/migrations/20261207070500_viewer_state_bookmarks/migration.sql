-- AlterEnum
ALTER TYPE "ActionKind" ADD VALUE 'BOOKMARK';
ALTER TYPE "ActionKind" ADD VALUE 'UNBOOKMARK';

-- CreateTable
CREATE TABLE "PostViewerState" (
    "linkedAccountId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "network" "Network" NOT NULL,
    "uri" TEXT NOT NULL,
    "liked" BOOLEAN NOT NULL,
    "likeUri" TEXT,
    "reposted" BOOLEAN NOT NULL,
    "repostUri" TEXT,
    "bookmarked" BOOLEAN NOT NULL DEFAULT false,
    "observedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PostViewerState_pkey" PRIMARY KEY ("linkedAccountId","uri")
);

-- CreateTable
CREATE TABLE "Bookmark" (
    "userId" UUID NOT NULL,
    "network" "Network" NOT NULL,
    "uri" TEXT NOT NULL,
    "postId" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Bookmark_pkey" PRIMARY KEY ("userId","network","uri")
);

-- CreateIndex
CREATE INDEX "PostViewerState_userId_uri_idx" ON "PostViewerState"("userId", "uri");

-- CreateIndex
CREATE INDEX "Bookmark_userId_createdAt_idx" ON "Bookmark"("userId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "PostViewerState" ADD CONSTRAINT "PostViewerState_linkedAccountId_fkey" FOREIGN KEY ("linkedAccountId") REFERENCES "LinkedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bookmark" ADD CONSTRAINT "Bookmark_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
