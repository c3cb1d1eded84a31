// The server's layers import one way (DESIGN.md "Layers", README "Development"), checked on every
// run with dependency-cruiser: no import cycle anywhere in server/src, nothing below graphql/
// imports from it (not even a type), and each layer reaches only the ones beneath it.
import path from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const src = '^server/src/';
const dirs = (...names: string[]) => `${src}(${names.join('|')})(/|\\.ts$)`;

const forbidden: IForbiddenRuleType[] = [
  { name: 'no-cycles', severity: 'error', from: { path: src }, to: { circular: true } },
  {
    name: 'graphql-is-the-top', comment: 'only the composition (app, main, http/) builds on the GraphQL layer',
    severity: 'error', from: { path: src, pathNot: dirs('graphql', 'app', 'main', 'http') }, to: { path: dirs('graphql') },
  },
  {
    name: 'composition-is-not-imported', severity: 'error',
    from: { path: src, pathNot: dirs('app', 'main', 'http') }, to: { path: dirs('app', 'main', 'http') },
  },
  {
    name: 'rules-below-jobs', comment: 'operations, notifications, live and auth are called by jobs, never the other way',
    severity: 'error', from: { path: dirs('operations', 'notifications', 'live', 'auth') }, to: { path: dirs('jobs') },
  },
  {
    name: 'connectors-below-rules', comment: 'connector kinds talk to tools; they know nothing of records, operations or jobs',
    severity: 'error', from: { path: dirs('connectors') }, to: { path: dirs('operations', 'notifications', 'live', 'jobs') },
  },
  {
    name: 'bottom-stays-bottom', comment: 'db/ and util/ build on nothing of ours but the shared facts (configuration, logging, locks, events, severities)',
    severity: 'error', from: { path: dirs('db', 'util') }, to: { path: src, pathNot: dirs('db', 'util', 'config', 'logger', 'locks', 'events', 'severity') },
  },
];

it('server/src has no import cycles and no upward imports', async () => {
  const result = await cruise(['server/src'], {
    baseDir: root,
    validate: true,
    ruleSet: { forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    includeOnly: src,
  });
  const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string }> }>; totalCruised: number } };
  const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  expect(output.summary.totalCruised).toBeGreaterThan(60);
  expect(violations).toEqual([]);
});
