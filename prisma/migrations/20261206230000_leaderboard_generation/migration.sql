-- The leaderboard's cache key (api/src/graphql/leaderboard/leaderboard-cache.ts): a counter that
-- every transaction changing what the leaderboard can show bumps once, in that transaction, so
-- any API process tells with one cheap read whether a cached page is still current. Shown: runs
-- that are or were SUCCEEDED, their metric summaries and benchmarks, and experiments.
--
-- The triggers are deferred to commit: the counter's row lock is then held only while the
-- transaction commits (no writer waits on another for longer, and no deadlock can form around
-- it), and a transaction-local setting makes the bump happen once per transaction.
CREATE TABLE "leaderboard_generation" (
  "id"    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK ("id"),
  "value" BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO "leaderboard_generation" ("id", "value") VALUES (TRUE, 0);

CREATE FUNCTION "factorlab_bump_leaderboard_generation"() RETURNS trigger AS $$
BEGIN
  IF current_setting('factorlab.leaderboard_bumped', true) IS DISTINCT FROM 'on' THEN
    PERFORM set_config('factorlab.leaderboard_bumped', 'on', true);
    UPDATE "leaderboard_generation" SET "value" = "value" + 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Metric summaries are written all the time by running jobs; only a succeeded run's count.
CREATE FUNCTION "factorlab_bump_leaderboard_generation_for_summary"() RETURNS trigger AS $$
DECLARE
  changed_run uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD."run_id" ELSE NEW."run_id" END;
BEGIN
  IF current_setting('factorlab.leaderboard_bumped', true) IS DISTINCT FROM 'on'
     AND EXISTS (SELECT 1 FROM "run" WHERE "id" = changed_run AND "status" = 'SUCCEEDED') THEN
    PERFORM set_config('factorlab.leaderboard_bumped', 'on', true);
    UPDATE "leaderboard_generation" SET "value" = "value" + 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER "run_inserted_leaderboard_generation"
AFTER INSERT ON "run" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (NEW."status" = 'SUCCEEDED')
EXECUTE FUNCTION "factorlab_bump_leaderboard_generation"();

CREATE CONSTRAINT TRIGGER "run_updated_leaderboard_generation"
AFTER UPDATE ON "run" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (OLD."status" = 'SUCCEEDED' OR NEW."status" = 'SUCCEEDED')
EXECUTE FUNCTION "factorlab_bump_leaderboard_generation"();

CREATE CONSTRAINT TRIGGER "run_deleted_leaderboard_generation"
AFTER DELETE ON "run" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (OLD."status" = 'SUCCEEDED')
EXECUTE FUNCTION "factorlab_bump_leaderboard_generation"();

CREATE CONSTRAINT TRIGGER "experiment_leaderboard_generation"
AFTER UPDATE OR DELETE ON "experiment" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION "factorlab_bump_leaderboard_generation"();

CREATE CONSTRAINT TRIGGER "benchmark_leaderboard_generation"
AFTER INSERT OR UPDATE OR DELETE ON "benchmark" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION "factorlab_bump_leaderboard_generation"();

CREATE CONSTRAINT TRIGGER "run_metric_summary_leaderboard_generation"
AFTER INSERT OR UPDATE OR DELETE ON "run_metric_summary" DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION "factorlab_bump_leaderboard_generation_for_summary"();
