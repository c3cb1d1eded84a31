-- AlterTable
ALTER TABLE "TestImport" ADD COLUMN     "updatedIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
