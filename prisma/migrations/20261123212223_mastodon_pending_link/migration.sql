-- CreateTable
CREATE TABLE "MastodonPendingLink" (
    "state" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "instance" TEXT NOT NULL,
    "verifier" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MastodonPendingLink_pkey" PRIMARY KEY ("state")
);

-- CreateIndex
CREATE INDEX "MastodonPendingLink_expiresAt_idx" ON "MastodonPendingLink"("expiresAt");
