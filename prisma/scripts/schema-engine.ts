// Prisma's WASM schema engine (@prisma/schema-engine-wasm, shipped on npm) on @prisma/adapter-pg, so
// migrations can be authored and checked without the native schema-engine binary, which Prisma
// downloads from its CDN (unreachable here). Used by migrate-dev.ts and test/migrations.test.ts.
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
// JS glue of the wasm-bindgen module: the package's main entry relies on ESM-wasm integration, which
// Node 20 does not enable, so the .wasm is instantiated by hand (as the Prisma 6 CLI did).
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

export const prismaDir = path.resolve(import.meta.dirname, '..');
export const schemaPath = path.join(prismaDir, 'schema.prisma');
export const migrationsDir = path.join(prismaDir, 'migrations');

// adapter-pg 7.10 cannot map PostgreSQL's single-byte "char" (OID 18), which the engine's catalog
// queries return (pg_constraint.contype …): relabel it as text for pg, remember the columns, and
// report them to the engine as Character afterwards.
const origAddFields = (pg as any).Result.prototype.addFields;
(pg as any).Result.prototype.addFields = function (fields: Array<{ dataTypeID: number }>) {
  const charCols: number[] = [];
  fields.forEach((f, i) => { if (f.dataTypeID === 18) { f.dataTypeID = 25; charCols.push(i); } });
  if (charCols.length) Object.defineProperty(this.rows, '__charCols', { value: charCols, enumerable: false });
  return origAddFields.call(this, fields);
};

function patchQueryable<T extends { queryRaw: Function; startTransaction?: Function }>(q: T): T {
  const queryRaw = q.queryRaw.bind(q);
  (q as any).queryRaw = async (query: unknown) => {
    const res = await queryRaw(query);
    for (const i of (res.rows as any).__charCols ?? []) res.columnTypes[i] = ColumnTypeEnum.Character;
    return res;
  };
  // adapter-pg's executeScript() splits on ';', which breaks dollar-quoted plpgsql bodies: send the
  // whole script as one simple-protocol query instead.
  if ((q as any).executeScript && (q as any).client) {
    (q as any).executeScript = async (script: string) => {
      try { await (q as any).client.query(script); } catch (e) { (q as any).onError(e); }
    };
  }
  if (q.startTransaction) {
    const start = q.startTransaction.bind(q);
    (q as any).startTransaction = async (...a: unknown[]) => patchQueryable(await start(...a));
  }
  return q;
}

function pgMigrationFactory(url: string) {
  // Discrete fields, not connectionString: pg lets connectionString win over `database`, which would
  // make adapter-pg's connectToShadowDb() use the main database. We manage the shadow database here.
  const u = new URL(url);
  const base = {
    host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password), database: u.pathname.slice(1),
  };
  const admin = async (sql: string) => {
    const c = new pg.Client({ ...base, database: 'postgres' }); await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  const f = new PrismaPg(base);
  return {
    provider: f.provider,
    adapterName: f.adapterName,
    connect: async () => patchQueryable(await f.connect()),
    connectToShadowDb: async () => {
      const name = `prisma_shadow_${crypto.randomUUID().replaceAll('-', '')}`;
      await admin(`CREATE DATABASE "${name}"`);
      const ad = await new PrismaPg({ ...base, database: name }).connect();
      const dispose = ad.dispose.bind(ad);
      ad.dispose = async () => { await dispose(); await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); };
      return patchQueryable(ad);
    },
  };
}

(globalThis as any).PRISMA_WASM_PANIC_REGISTRY = {
  message: '',
  set_message(m: string) { this.message = `RuntimeError: ${m}`; console.error('[schema engine panic]', m); },
};

let instantiated = false;
export async function loadEngine(url: string) {
  if (!instantiated) {
    const require = createRequire(import.meta.url);
    const wasmFile = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const inst = new WebAssembly.Instance(new WebAssembly.Module(await readFile(wasmFile)), { './schema_engine_bg.js': glue as any });
    (glue as any).__wbg_set_wasm(inst.exports);
    (inst.exports as any).__wbindgen_start();
    instantiated = true;
  }
  const schema = await readFile(schemaPath, 'utf8');
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (log: string) => { if (process.env.MIGRATE_DEBUG) console.error('[engine]', log); },
    bindMigrationAwareSqlAdapterFactory(pgMigrationFactory(url) as any),
  );
  return { engine, schema };
}

export async function migrationsList() {
  const dirs = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(dirs.map(async (d) => {
      const f = path.join(migrationsDir, d, 'migration.sql');
      return {
        path: d,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(f) ? ({ tag: 'ok', value: await readFile(f, 'utf8') } as const) : ({ tag: 'error', value: 'missing migration.sql' } as const),
        },
      };
    })),
  };
}

export const filters = { externalTables: [], externalEnums: [] };

/** The SQL that would take the committed migrations to schema.prisma ('' when they match). */
export async function pendingSchemaChange(url: string): Promise<string> {
  const { engine, schema } = await loadEngine(url);
  try {
    // createMigration refuses to build its shadow database until devDiagnostic has run (it fails
    // with "shadow DB must be provided through an external factory" otherwise).
    const diag = await engine.devDiagnostic({ migrationsList: await migrationsList(), filters });
    if (diag.action.tag === 'reset') throw new Error(`the database needs a reset: ${(diag.action as any).reason}`);
    const out = await engine.createMigration({
      draft: true, migrationName: 'drift_check', migrationsList: await migrationsList(),
      schema: { files: [{ path: schemaPath, content: schema }] }, filters,
    });
    // draft mode always yields a script; with no change it is only this comment
    const script = (out.migrationScript ?? '').trim();
    return script === '-- This is an empty migration.' ? '' : script;
  } finally {
    engine.free();
  }
}
