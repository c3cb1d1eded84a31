// The soak's steady read load: the dashboard's reads over HTTP as a signed-in user, started at a fixed
// rate whatever the answers take (open loop: a slow API meets the same demand, as it would from
// browsers, and its slowness shows in the latency), with latency kept per minute of the run and
// every failure counted by kind.
import { performance } from 'node:perf_hooks';

const PRODUCTS = `query Products { products(first: 25) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id name description openFindings: findings(filter: { active: true }) { totalCount } } } }`;
const PRODUCT_FINDINGS = `query ProductFindings($p: ID!) { findings(first: 50, filter: { productId: $p }) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id title severity active verified falsePositive riskAccepted isMitigated filePath line date mitigatedAt
    test { id title engagement { id product { id name } } } } } }`;
const CONNECTORS = `query Connectors { connectors(first: 50) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id name kind url hasSecret autoMap discoverSchedule syncSchedule nextDiscoverAt nextSyncAt
    latestOperations: operations(first: 1) { nodes { id type status trigger createdAt startedAt endedAt durationMs error progress
      stats { recordsDiscovered recordsNew recordsMissing recordsSynced findingsNew findingsClosed findingsReactivated findingsUntouched } } } } } }`;
const SUMMARY = 'query OpenFindingsBySeverity { findingSummary { critical high medium low info total } }';
/** a read unanswered this long counts as a network error */
const TIMEOUT_MS = 30_000;

export interface ReadStats {
  requests: number;
  /** latency (ms) of each answered request, per minute of the run it was sent in */
  perMinute: number[][];
  /** the same latencies by read */
  byRead: Record<string, number[]>;
  errors: { network: number; http: number; graphql: number };
  samples: string[];
}

export function startReadLoad(url: string, token: string, perSecond: number, productIds: string[], t0: number) {
  const reads: Array<{ name: string; body(): { query: string; variables?: Record<string, unknown> } }> = [
    { name: 'products', body: () => ({ query: PRODUCTS }) },
    { name: "a product's findings", body: () => ({ query: PRODUCT_FINDINGS, variables: { p: productIds[stats.requests % productIds.length] } }) },
    { name: 'connectors', body: () => ({ query: CONNECTORS }) },
    { name: 'findingSummary', body: () => ({ query: SUMMARY }) },
  ];
  const stats: ReadStats = { requests: 0, perMinute: [], byRead: Object.fromEntries(reads.map((r) => [r.name, []])), errors: { network: 0, http: 0, graphql: 0 }, samples: [] };
  const inFlight = new Set<Promise<void>>();
  const fail = (kind: keyof ReadStats['errors'], what: string) => {
    stats.errors[kind]++;
    if (stats.samples.length < 5) stats.samples.push(`${kind}: ${what.slice(0, 300)}`);
  };
  const send = async () => {
    const read = reads[stats.requests % reads.length]!;
    const body = read.body();
    const minute = Math.floor((Date.now() - t0) / 60_000);
    stats.requests++;
    const started = performance.now();
    try {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST', signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200) return fail('http', `${res.status} ${text}`);
      const answer = JSON.parse(text) as { errors?: unknown[] };
      if (answer.errors?.length) return fail('graphql', JSON.stringify(answer.errors));
      const ms = performance.now() - started;
      (stats.perMinute[minute] ??= []).push(ms);
      stats.byRead[read.name]!.push(ms);
    } catch (e) {
      fail('network', (e as Error).message);
    }
  };
  const timer = setInterval(() => {
    const p = send().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / perSecond);
  return {
    /** reads sent and not answered yet */
    inFlight: () => inFlight.size,
    async stop(): Promise<ReadStats> {
      clearInterval(timer);
      await Promise.all(inFlight);
      return stats;
    },
  };
}

/** the q-quantile of some latencies, ms */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
