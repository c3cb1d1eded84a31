-- AlterTable
ALTER TABLE "TestImport" ADD COLUMN     "rejectedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rejections" JSONB NOT NULL DEFAULT '[]';
