-- AlterTable
ALTER TABLE "LinkedAccount" ADD COLUMN     "labelers" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "labelersReadAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "BlueskyBlock" (
    "memberDid" TEXT NOT NULL,
    "rkey" TEXT NOT NULL,
    "subjectDid" TEXT NOT NULL,

    CONSTRAINT "BlueskyBlock_pkey" PRIMARY KEY ("memberDid","rkey")
);
