-- AlterTable
ALTER TABLE "TestImport" ADD COLUMN     "findingsDigest" TEXT,
ADD COLUMN     "reportFingerprint" TEXT;
