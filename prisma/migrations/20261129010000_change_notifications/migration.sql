-- Every change of a run is announced on the channel factorlab_run_updated (payload: the run id),
-- so API processes push it to subscribers whichever process or worker made it.
-- Metric batches are announced by their writer on factorlab_metrics_appended (one per batch).
CREATE FUNCTION "factorlab_notify_run_updated"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('factorlab_run_updated', NEW."id"::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "run_notify_updated"
AFTER INSERT OR UPDATE ON "run"
FOR EACH ROW EXECUTE FUNCTION "factorlab_notify_run_updated"();
