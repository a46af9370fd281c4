-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "dismissed" BOOLEAN NOT NULL DEFAULT false;
