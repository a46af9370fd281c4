-- CreateTable
CREATE TABLE "StatusTombstone" (
    "trustDomain" TEXT NOT NULL,
    "nativeId" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StatusTombstone_pkey" PRIMARY KEY ("trustDomain","nativeId")
);

-- CreateIndex
CREATE INDEX "StatusTombstone_deletedAt_idx" ON "StatusTombstone"("deletedAt");

-- CreateIndex
CREATE INDEX "RecordTombstone_deletedAt_idx" ON "RecordTombstone"("deletedAt");
