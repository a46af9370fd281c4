-- CreateEnum
CREATE TYPE "FilterListFormat" AS ENUM ('TRIBUTARY', 'MASTODON_DOMAINS', 'MASTODON_ACCOUNTS', 'BLUESKY_LIST');

-- AlterTable
ALTER TABLE "PipelineVersion" ADD COLUMN     "filterLists" JSONB;

-- CreateTable
CREATE TABLE "FilterList" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "format" "FilterListFormat" NOT NULL,
    "title" TEXT,
    "homepage" TEXT,
    "declaredVersion" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "entries" INTEGER NOT NULL DEFAULT 0,
    "etag" TEXT,
    "lastModified" TEXT,
    "expiresMinutes" INTEGER,
    "fetchedAt" TIMESTAMP(3),
    "checkedAt" TIMESTAMP(3),
    "nextCheckAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMP(3),
    "offered" BOOLEAN NOT NULL DEFAULT false,
    "offeredAction" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FilterList_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FilterListVersion" (
    "listId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" TEXT NOT NULL,
    "entries" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FilterListVersion_pkey" PRIMARY KEY ("listId","version")
);

-- CreateIndex
CREATE INDEX "FilterList_nextCheckAt_idx" ON "FilterList"("nextCheckAt");

-- CreateIndex
CREATE UNIQUE INDEX "FilterList_source_format_key" ON "FilterList"("source", "format");

-- AddForeignKey
ALTER TABLE "FilterListVersion" ADD CONSTRAINT "FilterListVersion_listId_fkey" FOREIGN KEY ("listId") REFERENCES "FilterList"("id") ON DELETE CASCADE ON UPDATE CASCADE;
