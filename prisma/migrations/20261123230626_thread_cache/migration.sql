-- CreateTable
CREATE TABLE "ThreadCache" (
    "linkedAccountId" UUID NOT NULL,
    "postId" BIGINT NOT NULL,
    "ancestorIds" BIGINT[],
    "replies" JSONB NOT NULL,
    "postIds" BIGINT[],
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThreadCache_pkey" PRIMARY KEY ("linkedAccountId","postId")
);

-- CreateIndex
CREATE INDEX "ThreadCache_postIds_idx" ON "ThreadCache" USING GIN ("postIds");

-- AddForeignKey
ALTER TABLE "ThreadCache" ADD CONSTRAINT "ThreadCache_linkedAccountId_fkey" FOREIGN KEY ("linkedAccountId") REFERENCES "LinkedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ThreadCache" ADD CONSTRAINT "ThreadCache_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
