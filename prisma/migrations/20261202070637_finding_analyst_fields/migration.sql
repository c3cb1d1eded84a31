-- AlterTable
ALTER TABLE "Finding" ADD COLUMN     "codeClassification" TEXT,
ADD COLUMN     "cvssV4Score" DOUBLE PRECISION,
ADD COLUMN     "cvssV4Vector" TEXT,
ADD COLUMN     "cwes" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "detailsDigest" TEXT,
ADD COLUMN     "dismissedAt" TIMESTAMP(3),
ADD COLUMN     "dismissedBy" TEXT,
ADD COLUMN     "dismissedInTool" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "dismissedReason" TEXT,
ADD COLUMN     "endLine" INTEGER,
ADD COLUMN     "epssPercentile" DOUBLE PRECISION,
ADD COLUMN     "toolName" TEXT,
ADD COLUMN     "toolVersion" TEXT;
