-- Metric ingestion: the foreign key's per-row check (one index probe and row lock of the same
-- run for each of a batch's thousands of points) took 40% of a batch's time. The writer now
-- locks the run row once per batch (FOR KEY SHARE, so a concurrent delete waits for the batch)
-- and writes nothing for a run that no longer exists; this trigger does the cascade.

-- DropForeignKey
ALTER TABLE "metric_point" DROP CONSTRAINT "metric_point_run_id_fkey";

CREATE FUNCTION "factorlab_delete_run_metric_points"() RETURNS trigger AS $$
BEGIN
  DELETE FROM "metric_point" m USING "deleted_runs" d WHERE m."run_id" = d."id";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "run_delete_metric_points"
AFTER DELETE ON "run"
REFERENCING OLD TABLE AS "deleted_runs"
FOR EACH STATEMENT EXECUTE FUNCTION "factorlab_delete_run_metric_points"();
