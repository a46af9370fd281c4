-- CreateTable
CREATE TABLE "BlueskyMember" (
    "did" TEXT NOT NULL,
    "followsLoadedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BlueskyMember_pkey" PRIMARY KEY ("did")
);

-- CreateTable
CREATE TABLE "BlueskyFollow" (
    "memberDid" TEXT NOT NULL,
    "rkey" TEXT NOT NULL,
    "subjectDid" TEXT NOT NULL,

    CONSTRAINT "BlueskyFollow_pkey" PRIMARY KEY ("memberDid","rkey")
);
