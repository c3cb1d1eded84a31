-- Per-email counters become per-client / per-account / per-(email, client) counters (server/src/auth/
-- login-throttle.ts). The old rows cannot be split by client and only matter for 15 minutes, so they are
-- dropped (the new NOT NULL key columns need an empty table): an upgrade resets the delays once.
DELETE FROM "LoginThrottle";

-- AlterTable
ALTER TABLE "LoginThrottle" DROP CONSTRAINT "LoginThrottle_pkey",
DROP COLUMN "lastFailureAt",
ADD COLUMN     "clientAddress" TEXT NOT NULL,
ADD COLUMN     "scope" TEXT NOT NULL,
ADD COLUMN     "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("scope", "email", "clientAddress");

-- CreateIndex
CREATE INDEX "LoginThrottle_windowStart_idx" ON "LoginThrottle"("windowStart");
