-- CreateTable
CREATE TABLE "PublishedFeed" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "pipelineId" UUID NOT NULL,
    "linkedAccountId" UUID NOT NULL,
    "uri" TEXT NOT NULL,
    "rkey" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PublishedFeed_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeedInteraction" (
    "id" BIGSERIAL NOT NULL,
    "userId" UUID NOT NULL,
    "pipelineId" UUID NOT NULL,
    "entryId" BIGINT,
    "postUri" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeedInteraction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PublishedFeed_uri_key" ON "PublishedFeed"("uri");

-- CreateIndex
CREATE INDEX "PublishedFeed_userId_idx" ON "PublishedFeed"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedFeed_pipelineId_linkedAccountId_key" ON "PublishedFeed"("pipelineId", "linkedAccountId");

-- CreateIndex
CREATE INDEX "FeedInteraction_pipelineId_createdAt_idx" ON "FeedInteraction"("pipelineId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "PublishedFeed" ADD CONSTRAINT "PublishedFeed_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PublishedFeed" ADD CONSTRAINT "PublishedFeed_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PublishedFeed" ADD CONSTRAINT "PublishedFeed_linkedAccountId_fkey" FOREIGN KEY ("linkedAccountId") REFERENCES "LinkedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedInteraction" ADD CONSTRAINT "FeedInteraction_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;
