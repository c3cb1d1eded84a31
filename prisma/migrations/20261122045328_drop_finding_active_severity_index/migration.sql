-- DropIndex
DROP INDEX "Finding_active_severity_idx";
