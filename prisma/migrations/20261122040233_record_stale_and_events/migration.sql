-- Hand-written: rules that must hold however a row changes (GraphQL, a script, a cascade), so they
-- live in the database rather than in application code.

-- A mapped record whose Product, "Global Connectors" engagement or connector Test is deleted becomes
-- STALE at once (DESIGN.md, record states). BEFORE DELETE on Product: the records still point at it.
CREATE FUNCTION tributary_stale_on_product_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Record" SET state = 'STALE', "updatedAt" = now()
   WHERE "productId" = OLD.id AND state IN ('GOOD', 'MISSING');
  RETURN OLD;
END $$;
CREATE TRIGGER product_delete_marks_records_stale BEFORE DELETE ON "Product"
  FOR EACH ROW EXECUTE FUNCTION tributary_stale_on_product_delete();

CREATE FUNCTION tributary_stale_on_engagement_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.name = 'Global Connectors' THEN
    UPDATE "Record" SET state = 'STALE', "updatedAt" = now()
     WHERE "productId" = OLD."productId" AND state IN ('GOOD', 'MISSING');
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER engagement_delete_marks_records_stale BEFORE DELETE ON "Engagement"
  FOR EACH ROW EXECUTE FUNCTION tributary_stale_on_engagement_delete();

CREATE FUNCTION tributary_stale_on_test_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."connectorId" IS NOT NULL THEN
    UPDATE "Record" r SET state = 'STALE', "updatedAt" = now()
      FROM "Engagement" e
     WHERE e.id = OLD."engagementId" AND r."productId" = e."productId"
       AND r."connectorId" = OLD."connectorId" AND r.state IN ('GOOD', 'MISSING');
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER test_delete_marks_records_stale BEFORE DELETE ON "Test"
  FOR EACH ROW EXECUTE FUNCTION tributary_stale_on_test_delete();

-- Live events: every committed change a subscriber may care about is announced on one channel with
-- ids only (NOTIFY payloads are capped at 8000 bytes); API processes reload the row and check access.
-- NOTIFY is transactional: listeners only ever hear about committed state.
CREATE FUNCTION tributary_notify_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state OR NEW.name IS DISTINCT FROM OLD.name
     OR NEW."productId" IS DISTINCT FROM OLD."productId" THEN
    PERFORM pg_notify('tributary_events', json_build_object(
      'type', 'record', 'id', NEW.id, 'connectorId', NEW."connectorId", 'state', NEW.state)::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE ON "Record"
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_record();

CREATE FUNCTION tributary_notify_operation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.progress IS DISTINCT FROM OLD.progress THEN
    PERFORM pg_notify('tributary_events', json_build_object(
      'type', 'operation', 'id', NEW.id, 'connectorId', NEW."connectorId", 'status', NEW.status,
      'progress', NEW.progress)::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER operation_changed AFTER INSERT OR UPDATE ON "Operation"
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_operation();

CREATE FUNCTION tributary_notify_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tributary_events', json_build_object('type', 'alert', 'id', NEW.id, 'userId', NEW."userId")::text);
  RETURN NULL;
END $$;
CREATE TRIGGER alert_added AFTER INSERT ON "Alert"
  FOR EACH ROW EXECUTE FUNCTION tributary_notify_alert();
