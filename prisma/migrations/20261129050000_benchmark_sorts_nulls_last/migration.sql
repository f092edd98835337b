-- benchmarks(orderBy: {field: SPEEDUP | EFFICIENCY}) sorts NULLS LAST either way (rows without a
-- dense baseline or a bound come last). A DESC index puts NULLs first, so it served neither order;
-- each column now has one index per direction. Prisma does not model NULLS LAST, hence the
-- hand-edited DESC ones.
DROP INDEX "benchmark_speedup_id_idx";
CREATE INDEX "benchmark_speedup_id_idx" ON "benchmark"("speedup" DESC NULLS LAST, "id" DESC);

DROP INDEX "benchmark_efficiency_id_idx";
CREATE INDEX "benchmark_efficiency_id_idx" ON "benchmark"("efficiency" DESC NULLS LAST, "id" DESC);

-- CreateIndex
CREATE INDEX "benchmark_speedup_asc_idx" ON "benchmark"("speedup", "id");

-- CreateIndex
CREATE INDEX "benchmark_efficiency_asc_idx" ON "benchmark"("efficiency", "id");
