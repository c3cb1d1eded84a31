-- CreateTable
CREATE TABLE "NotificationEvent" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "productId" INTEGER,
    "connectorId" INTEGER,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMP(3),

    CONSTRAINT "NotificationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationEvent_dispatchedAt_id_idx" ON "NotificationEvent"("dispatchedAt", "id");

-- Hand-written: a record turning STALE is announced in the same transaction, whoever deleted what.
CREATE FUNCTION tributary_event_on_record_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'STALE' AND OLD.state IS DISTINCT FROM 'STALE' THEN
    INSERT INTO "NotificationEvent" (name, "productId", "connectorId", payload)
    VALUES ('record_stale', OLD."productId", NEW."connectorId",
            json_build_object('recordId', NEW.id, 'name', NEW.name, 'vendorKey', NEW."vendorKey"));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER record_stale_event AFTER UPDATE OF state ON "Record"
  FOR EACH ROW EXECUTE FUNCTION tributary_event_on_record_stale();
