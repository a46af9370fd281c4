-- AlterTable
ALTER TABLE "LinkedAccount" ADD COLUMN     "streamingUnavailableSince" TIMESTAMP(3);
