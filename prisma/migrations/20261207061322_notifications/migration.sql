-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('MENTION', 'REPLY', 'QUOTE', 'LIKE', 'REPOST', 'FOLLOW', 'FOLLOW_REQUEST', 'POLL_ENDED', 'EDIT', 'POST');

-- AlterTable
ALTER TABLE "LinkedAccount" ADD COLUMN     "notificationsCursor" TEXT,
ADD COLUMN     "notificationsError" TEXT,
ADD COLUMN     "notificationsNextPollAt" TIMESTAMP(3),
ADD COLUMN     "notificationsSyncedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Notification" (
    "id" BIGSERIAL NOT NULL,
    "userId" UUID NOT NULL,
    "linkedAccountId" UUID NOT NULL,
    "network" "Network" NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "nativeId" TEXT NOT NULL,
    "actor" JSONB NOT NULL,
    "postId" BIGINT,
    "subjectUri" TEXT,
    "groupKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "hiddenReason" TEXT,
    "decisions" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationMarker" (
    "userId" UUID NOT NULL,
    "lastReadAt" TIMESTAMP(3) NOT NULL,
    "lastReadId" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationMarker_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE INDEX "Notification_userId_hidden_createdAt_id_idx" ON "Notification"("userId", "hidden", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Notification_userId_groupKey_idx" ON "Notification"("userId", "groupKey");

-- CreateIndex
CREATE INDEX "Notification_postId_idx" ON "Notification"("postId");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_linkedAccountId_nativeId_key" ON "Notification"("linkedAccountId", "nativeId");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_linkedAccountId_fkey" FOREIGN KEY ("linkedAccountId") REFERENCES "LinkedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationMarker" ADD CONSTRAINT "NotificationMarker_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
