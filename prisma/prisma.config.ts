import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The Prisma CLI downloads its native schema-engine binary from Prisma's CDN before
// `generate`/`migrate`/`db`/`validate`/`format`/`version` unless this env var names an existing file.
// That host is unreachable here, so point it at a stub: generate works; migrations go through
// scripts/migrate-dev.ts (WASM schema engine from npm); server/src/db/migrate.ts applies them.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, 'scripts/no-schema-engine.sh');

// DATABASE_URL is only needed for migrate/introspect; `prisma generate` works without it.
export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
