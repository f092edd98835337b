-- Why a worker ended when it did not stop cleanly: killed by a signal, exited with a code, or
-- presumed dead after its lease (null for a clean stop). The workers view shows it.
ALTER TABLE "worker" ADD COLUMN "exit_reason" TEXT;
