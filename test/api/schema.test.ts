import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '@tributary/server/graphql/schema.ts';

it('server/schema.graphql is the printed schema (run `pnpm schema:print` after changing types)', async () => {
  const committed = await readFile(path.resolve(import.meta.dirname, '../../server/schema.graphql'), 'utf8');
  expect(committed).toBe(printSchema(schema) + '\n');
});

it('has every name CONTRACT.md fixes', () => {
  const sdl = printSchema(schema);
  for (const name of ['enum Severity', 'enum RecordState', 'enum OperationType', 'enum OperationStatus', 'enum OperationTrigger',
    'type Connector implements Node', 'type Record implements Node', 'type Operation implements Node', 'type Product implements Node',
    'type Engagement implements Node', 'type Test implements Node', 'type Finding implements Node', 'type ConnectorKind']) {
    expect(sdl).toContain(name);
  }
  const mutations = schema.getMutationType()!.getFields();
  for (const m of ['login', 'createApiToken', 'createConnector', 'updateConnector', 'deleteConnector', 'testConnector', 'runDiscover', 'runSync',
    'mapRecord', 'ignoreRecord', 'restoreRecord', 'deleteRecord', 'createUser', 'addProductMember', 'createProduct', 'deleteProduct', 'deleteEngagement', 'deleteTest']) {
    expect(mutations[m], m).toBeDefined();
  }
});
