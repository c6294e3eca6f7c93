-- AlterTable
ALTER TABLE "NotificationBatch" ADD COLUMN "postStartedAt" DATETIME;
