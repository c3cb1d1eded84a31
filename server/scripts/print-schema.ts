// Writes server/schema.graphql from the Pothos schema (`pnpm schema:print`); test/api/schema.test.ts
// fails when the committed file is out of date.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchema } from 'graphql';
import { schema } from '../src/graphql/schema.ts';

export const schemaFile = path.resolve(import.meta.dirname, '../schema.graphql');
await writeFile(schemaFile, printSchema(schema) + '\n');
console.log(`wrote ${path.relative(process.cwd(), schemaFile)}`);
