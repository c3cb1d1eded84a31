// Writes src/graphql/cache-schema.ts: the schema's minified introspection for Graphcache, which needs
// it at run time to match fragments on interfaces (Node) and to tell a cache miss from a nullable
// field. Minified (types, fields and args only: ~1/4 of the full introspection) because it ships
// in the bundle. Run by `pnpm generate`, itself run by `pnpm typecheck`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, introspectionFromSchema } from 'graphql';
import { minifyIntrospectionQuery } from '@urql/introspection';

const sdl = readFileSync(fileURLToPath(new URL('../../server/schema.graphql', import.meta.url)), 'utf8');
const minified = minifyIntrospectionQuery(introspectionFromSchema(buildSchema(sdl)), {
  includeScalars: true,
  includeEnums: true,
  includeInputs: false,
  includeDirectives: false,
});
const out = fileURLToPath(new URL('../src/graphql/cache-schema.ts', import.meta.url));
writeFileSync(out, `// Generated from server/schema.graphql by scripts/generate-cache-schema.mjs (pnpm generate). Do not edit.
import type { CacheExchangeOpts } from '@urql/exchange-graphcache';

export const cacheSchema: NonNullable<CacheExchangeOpts['schema']> = ${JSON.stringify(minified)};
`);
console.log(`wrote ${out}`);
