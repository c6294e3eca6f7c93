-- AlterTable
ALTER TABLE "NotificationBatch" ADD COLUMN     "postStartedAt" TIMESTAMP(3);
