-- CreateTable
CREATE TABLE "BlueskyOAuthState" (
    "state" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "data" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BlueskyOAuthState_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "BlueskyOAuthSession" (
    "userId" UUID NOT NULL,
    "did" TEXT NOT NULL,
    "linkId" UUID NOT NULL,
    "data" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BlueskyOAuthSession_pkey" PRIMARY KEY ("userId","did")
);

-- CreateIndex
CREATE INDEX "BlueskyOAuthState_expiresAt_idx" ON "BlueskyOAuthState"("expiresAt");

-- AddForeignKey
ALTER TABLE "BlueskyOAuthState" ADD CONSTRAINT "BlueskyOAuthState_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BlueskyOAuthSession" ADD CONSTRAINT "BlueskyOAuthSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
