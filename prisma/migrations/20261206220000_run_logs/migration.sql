-- A run's log lines: what its job reported as text, in order. The key (run_id, seq) serves both
-- paging (`Run.logs(after, first)`) and the retention delete of a run's oldest lines. The worker
-- announces each written batch on factorlab_logs_appended (payload: the run id).

-- CreateEnum
CREATE TYPE "LogLevel" AS ENUM ('INFO', 'WARN', 'ERROR');

-- CreateTable
CREATE TABLE "run_log" (
    "run_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "level" "LogLevel" NOT NULL,
    "message" TEXT NOT NULL,
    "logged_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_log_pkey" PRIMARY KEY ("run_id","seq")
);

-- AddForeignKey
ALTER TABLE "run_log" ADD CONSTRAINT "run_log_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
