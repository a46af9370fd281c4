-- CreateTable
CREATE TABLE "StreamStatus" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "connected" BOOLEAN NOT NULL,
    "lastEventAt" TIMESTAMP(3),
    "lagMs" INTEGER,
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StreamStatus_pkey" PRIMARY KEY ("key")
);
