-- CreateEnum
CREATE TYPE "MastodonIdKind" AS ENUM ('POST', 'REBLOG', 'ACCOUNT', 'NOTIFICATION', 'MEDIA', 'LIST');

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "oauthClientId" UUID,
ADD COLUMN     "scopes" TEXT;

-- AlterTable
ALTER TABLE "Pipeline" ADD COLUMN     "readPositionAt" TIMESTAMP(3),
ADD COLUMN     "readPositionVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "TimelineEntry" ADD COLUMN     "postedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Existing entries: the repost's time for a repost, else the post's, never after the entry was written
-- (what libs/timeline writes from now on).
UPDATE "TimelineEntry" e SET "postedAt" = LEAST(
  COALESCE(
    CASE WHEN e.reason ->> 'at' ~ '^\d{4}-\d{2}-\d{2}T' THEN (e.reason ->> 'at')::timestamptz AT TIME ZONE 'UTC' END,
    p."createdAt"),
  e."createdAt")
FROM "Post" p WHERE p.id = e."postId";

-- CreateTable
CREATE TABLE "OAuthClient" (
    "id" UUID NOT NULL,
    "clientId" TEXT NOT NULL,
    "clientSecretHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "website" TEXT,
    "redirectUris" TEXT[],
    "scopes" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthClient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthCode" (
    "codeHash" TEXT NOT NULL,
    "clientId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "scopes" TEXT[],
    "codeChallenge" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthCode_pkey" PRIMARY KEY ("codeHash")
);

-- CreateTable
CREATE TABLE "OAuthAppToken" (
    "tokenHash" TEXT NOT NULL,
    "clientId" UUID NOT NULL,
    "scopes" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "OAuthAppToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "MastodonId" (
    "id" BIGINT NOT NULL,
    "kind" "MastodonIdKind" NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MastodonId_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MastodonMedia" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "mimeType" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "description" TEXT,
    "actionId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MastodonMedia_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuthClient_clientId_key" ON "OAuthClient"("clientId");

-- CreateIndex
CREATE INDEX "OAuthCode_expiresAt_idx" ON "OAuthCode"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "MastodonId_kind_key_key" ON "MastodonId"("kind", "key");

-- CreateIndex
CREATE INDEX "MastodonMedia_userId_createdAt_idx" ON "MastodonMedia"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "TimelineEntry_pipelineId_hidden_postedAt_id_idx" ON "TimelineEntry"("pipelineId", "hidden", "postedAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_oauthClientId_fkey" FOREIGN KEY ("oauthClientId") REFERENCES "OAuthClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthCode" ADD CONSTRAINT "OAuthCode_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "OAuthClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthAppToken" ADD CONSTRAINT "OAuthAppToken_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "OAuthClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;
