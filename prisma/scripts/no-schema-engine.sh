#!/bin/sh
# Stand-in for Prisma's native schema-engine binary, which is downloaded from Prisma's CDN (unreachable
# here). `prisma generate` only needs the path to exist; migrations are authored with
# scripts/migrate-dev.ts (the WASM schema engine from npm) and applied by server/src/db/migrate.ts.
echo "prisma's native schema engine is not installed. Use: pnpm migrate:dev <name>" >&2
exit 1
