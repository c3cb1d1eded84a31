-- CreateEnum
CREATE TYPE "EngagementStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- DropIndex
DROP INDEX "Delivery_webhookId_id_idx";

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Engagement" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "status" "EngagementStatus" NOT NULL DEFAULT 'IN_PROGRESS';

-- AlterTable
ALTER TABLE "SystemSettings" ADD COLUMN     "engagementAutoClose" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "engagementAutoCloseDays" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "slaCriticalDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "slaHighDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "slaLowDays" INTEGER NOT NULL DEFAULT 120,
ADD COLUMN     "slaMediumDays" INTEGER NOT NULL DEFAULT 90;

-- CreateIndex
CREATE INDEX "Delivery_webhookId_status_id_idx" ON "Delivery"("webhookId", "status", "id");

-- deliveryChanged (live/topics.ts): a delivery written or moved to another status, ids and the
-- status only, in the writing transaction like the other live events
CREATE FUNCTION tributary_notify_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM pg_notify('tributary_events', json_build_object(
      'type', 'delivery', 'id', NEW.id, 'status', NEW.status)::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER delivery_changed AFTER INSERT OR UPDATE ON "Delivery"
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_delivery();

-- the settings row always exists: the reimport reads its SLA days in SQL (operations/sla.ts)
INSERT INTO "SystemSettings" (id) VALUES (1) ON CONFLICT DO NOTHING;
