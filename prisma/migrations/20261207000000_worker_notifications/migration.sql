-- Every change the workers view shows is announced on the channel factorlab_worker_updated
-- (payload: the worker id), so the API pushes it to subscribers (workersChanged) whichever process
-- made it: a worker's row (registered, heartbeat, stopped, presumed dead) and the runs it holds
-- (taken, finished, released). A run's own changes go on factorlab_run_updated as before.
CREATE FUNCTION "factorlab_notify_worker_updated"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('factorlab_worker_updated', NEW."id"::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "worker_notify_updated"
AFTER INSERT OR UPDATE ON "worker"
FOR EACH ROW EXECUTE FUNCTION "factorlab_notify_worker_updated"();

-- A run changes a worker's current run and run count when it is assigned to or taken from it, or
-- when a run it holds changes status.
CREATE FUNCTION "factorlab_notify_run_worker_updated"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."worker_id" IS NOT NULL
     AND OLD."worker_id" IS DISTINCT FROM NEW."worker_id" THEN
    PERFORM pg_notify('factorlab_worker_updated', OLD."worker_id"::text);
  END IF;
  IF NEW."worker_id" IS NOT NULL THEN
    PERFORM pg_notify('factorlab_worker_updated', NEW."worker_id"::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "run_notify_worker_inserted"
AFTER INSERT ON "run"
FOR EACH ROW WHEN (NEW."worker_id" IS NOT NULL)
EXECUTE FUNCTION "factorlab_notify_run_worker_updated"();

CREATE TRIGGER "run_notify_worker_updated"
AFTER UPDATE OF "worker_id", "status" ON "run"
FOR EACH ROW WHEN (
  OLD."worker_id" IS DISTINCT FROM NEW."worker_id"
  OR (NEW."worker_id" IS NOT NULL AND OLD."status" IS DISTINCT FROM NEW."status")
)
EXECUTE FUNCTION "factorlab_notify_run_worker_updated"();
