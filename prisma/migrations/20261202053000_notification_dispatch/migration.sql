-- Every statement that writes notification events queues the dispatch job (server/src/notifications/
-- dispatch.ts) in its own transaction. One job key: while a dispatch waits, more events only move it
-- (job_key_mode 'replace'); one already running leaves a new one for what it did not see.
CREATE FUNCTION "notification_event_dispatch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM graphile_worker.add_job('dispatch_notifications', '{}'::json, job_key => 'dispatch_notifications', max_attempts => 5);
  RETURN NULL;
END $$;

CREATE TRIGGER "NotificationEvent_dispatch" AFTER INSERT ON "NotificationEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "notification_event_dispatch"();
