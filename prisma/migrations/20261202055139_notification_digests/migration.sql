-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "digestAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "NotificationSettings" ADD COLUMN     "digests" JSONB NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "Delivery_digestAt_idx" ON "Delivery"("digestAt");
