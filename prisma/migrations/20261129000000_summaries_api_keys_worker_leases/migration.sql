-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('VIEWER', 'EDITOR', 'ADMIN');

-- CreateTable
CREATE TABLE "run_metric_summary" (
    "run_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "last_step" INTEGER NOT NULL,
    "last_value" DOUBLE PRECISION NOT NULL,
    "min_value" DOUBLE PRECISION NOT NULL,
    "max_value" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_metric_summary_pkey" PRIMARY KEY ("run_id","key")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "worker" ADD COLUMN "queue_worker_id" TEXT,
ADD COLUMN "stopped_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "worker_stopped_at_last_seen_at_idx" ON "worker"("stopped_at", "last_seen_at");

-- CreateIndex
CREATE INDEX "run_metric_summary_key_last_value_idx" ON "run_metric_summary"("key", "last_value");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- AddForeignKey
ALTER TABLE "run_metric_summary" ADD CONSTRAINT "run_metric_summary_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Backfill: summaries of the metric points recorded before this table existed.
INSERT INTO "run_metric_summary" ("run_id", "key", "last_step", "last_value", "min_value", "max_value")
SELECT "run_id", "key",
       (array_agg("step" ORDER BY "step" DESC))[1],
       (array_agg("value" ORDER BY "step" DESC))[1],
       min("value"), max("value")
FROM "metric_point"
GROUP BY "run_id", "key";
