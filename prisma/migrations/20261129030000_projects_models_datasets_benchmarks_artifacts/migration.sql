-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('CHECKPOINT', 'MODEL', 'REPORT', 'OTHER');

-- AlterTable
ALTER TABLE "experiment" ADD COLUMN     "project_id" UUID DEFAULT '00000000-0000-0000-0000-000000000001'::uuid;

-- CreateTable
CREATE TABLE "project" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_pkey" PRIMARY KEY ("id")
);

-- The default project: experiment.project_id defaults to it, and existing experiments join it.
INSERT INTO "project" ("id", "name") VALUES ('00000000-0000-0000-0000-000000000001', 'default');

-- CreateTable
CREATE TABLE "model" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "parameter_count" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT,
    "source" TEXT,
    "tokens" BIGINT,
    "bytes" BIGINT,
    "sha256" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "benchmark" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "model_id" UUID,
    "experts" INTEGER,
    "top_k" INTEGER,
    "split" TEXT,
    "dtype" TEXT,
    "batch" INTEGER NOT NULL,
    "prompt_len" INTEGER NOT NULL,
    "gen_len" INTEGER NOT NULL,
    "prefill_tok_s" DOUBLE PRECISION NOT NULL,
    "decode_tok_s" DOUBLE PRECISION NOT NULL,
    "dense_decode_tok_s" DOUBLE PRECISION,
    "decode_p50_ms" DOUBLE PRECISION,
    "decode_p95_ms" DOUBLE PRECISION,
    "speedup" DOUBLE PRECISION,
    "bound" DOUBLE PRECISION,
    "efficiency" DOUBLE PRECISION,
    "device" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "benchmark_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifact" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "path" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "step" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifact_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "project_name_key" ON "project"("name");

-- CreateIndex
CREATE UNIQUE INDEX "model_name_key" ON "model"("name");

-- CreateIndex
CREATE INDEX "model_created_at_id_idx" ON "model"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "model_path_idx" ON "model"("path");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_name_key" ON "dataset"("name");

-- CreateIndex
CREATE INDEX "dataset_created_at_id_idx" ON "dataset"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "benchmark_run_id_created_at_idx" ON "benchmark"("run_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "benchmark_model_id_idx" ON "benchmark"("model_id");

-- CreateIndex
CREATE INDEX "benchmark_experts_top_k_dtype_idx" ON "benchmark"("experts", "top_k", "dtype");

-- CreateIndex
CREATE INDEX "benchmark_created_at_id_idx" ON "benchmark"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "benchmark_decode_tok_s_id_idx" ON "benchmark"("decode_tok_s" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "benchmark_speedup_id_idx" ON "benchmark"("speedup" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "benchmark_efficiency_id_idx" ON "benchmark"("efficiency" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "artifact_run_id_kind_step_idx" ON "artifact"("run_id", "kind", "step" DESC);

-- CreateIndex
CREATE INDEX "experiment_project_id_created_at_idx" ON "experiment"("project_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "experiment" ADD CONSTRAINT "experiment_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "benchmark" ADD CONSTRAINT "benchmark_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "benchmark" ADD CONSTRAINT "benchmark_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact" ADD CONSTRAINT "artifact_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

