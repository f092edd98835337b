-- CreateEnum
CREATE TYPE "SweepStrategy" AS ENUM ('GRID', 'RANDOM');

-- AlterTable
ALTER TABLE "experiment" ADD COLUMN     "sweep_id" UUID;

-- CreateTable
CREATE TABLE "sweep" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "strategy" "SweepStrategy" NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sweep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "experiment_sweep_id_idx" ON "experiment"("sweep_id");

-- AddForeignKey
ALTER TABLE "experiment" ADD CONSTRAINT "experiment_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;

