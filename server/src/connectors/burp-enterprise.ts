// Burp Suite DAST (formerly Burp Suite Enterprise Edition) over its GraphQL API: one VEP per site of
// the site tree; findings are the issues of the site's newest succeeded scan, since a fixed issue
// simply is not reported by the next scan (research/connectors.md §7, PortSwigger's GraphQL schema).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl } from './http.ts';
import { LATEST_SCAN_QUERY, SITE_TREE_QUERY, normalizeIssue, scanContext, scanIssuesQuery } from './burp-enterprise-issues.ts';

// runZero reads 1000 issues a page; a page of issues with their HTML descriptions stays far below
// the client's body cap at that size.
const PAGE_SIZE = 1000;
// a looping or lying server must not keep us reading forever
const MAX_ISSUES = 1_000_000;

/** The server root, whether the user typed it with /graphql/v1 or not. */
function root(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/graphql\/v1$/, '');
}

async function graphql(ctx: KindContext, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await ctx.http.request(joinUrl(root(ctx), 'graphql/v1'), {
    method: 'POST',
    // the raw API key, no scheme: PortSwigger's "Getting started with the GraphQL API"
    headers: { authorization: ctx.config.secret ?? '', 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  }, ctx.signal);
  const body = ctx.http.parseJson<any>(res);
  // Burp reports query and permission errors with HTTP 200 and an `errors` list
  if (Array.isArray(body?.errors) && body.errors.length) {
    const messages = body.errors.map((e: any) => String(e?.message ?? 'unknown error')).join('; ').slice(0, 500);
    const denied = /unauthori[sz]ed|authenticat|api key|permission|forbidden|access denied/i.test(messages);
    ctx.http.fail(`Burp Suite DAST GraphQL error: ${messages}${denied ? ' (check the API key and that its user may view sites and scans)' : ''}`);
  }
  if (!body || typeof body.data !== 'object' || body.data === null) ctx.http.fail('Burp Suite DAST answered GraphQL without data');
  return body.data;
}

/** The newest succeeded scan of a site, or null when it has none yet. */
async function latestScan(ctx: KindContext, siteId: string): Promise<any | null> {
  const data = await graphql(ctx, LATEST_SCAN_QUERY, { siteId });
  if (!Array.isArray(data.scans)) ctx.http.fail(`Burp Suite DAST did not list the scans of site ${siteId}`);
  const scan = data.scans[0] ?? null;
  if (scan && (scan.id === undefined || scan.id === null)) ctx.http.fail(`Burp Suite DAST listed a scan of site ${siteId} without an id`);
  return scan;
}

/** "Folder / Subfolder / Site", following parent_id through the folders; a cycle is an error. */
function sitePath(ctx: KindContext, site: any, folders: Map<string, any>): string {
  const names = [String(site.name ?? site.id)];
  const seen = new Set<string>();
  let parent = site.parent_id === null || site.parent_id === undefined ? null : String(site.parent_id);
  while (parent && folders.has(parent)) {
    if (seen.has(parent)) ctx.http.fail(`Burp Suite DAST's site tree loops through folder ${parent}`);
    seen.add(parent);
    const folder = folders.get(parent);
    names.unshift(String(folder.name ?? parent));
    parent = folder.parent_id === null || folder.parent_id === undefined ? null : String(folder.parent_id);
  }
  return names.join(' / ');
}

export const burpEnterpriseKind: ConnectorKind = {
  id: 'burp-enterprise',
  label: 'Burp Suite DAST',
  fields: [
    { name: 'url', label: 'Burp Suite DAST URL', type: 'url', required: true, secret: false, help: 'The server root, e.g. https://burp.example.com (the API is /graphql/v1)' },
    { name: 'secret', label: 'API key', type: 'password', required: true, secret: true, help: 'The API key of an API user (Team → Add a new user → API key) with permission to view sites and scans' },
  ],
  /*
   * unique_id_from_tool_or_hash_code: the issue's fingerprint (or type|origin|path on servers
   * without one) matches across scans; the hash over DefectDojo's "Burp Suite DAST Scan" fields
   * (title, severity, cwe) plus the URL, since we keep one finding per URL where DefectDojo's parser
   * folds a type's URLs into one finding, catches the same issue when its fingerprint changed.
   */
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'severity', 'cwe', 'file_path'] },

  async testConnection(ctx) {
    const data = await graphql(ctx, SITE_TREE_QUERY, {});
    const sites = data.site_tree?.sites;
    if (!Array.isArray(sites)) ctx.http.fail('Burp Suite DAST answered without a site tree');
    return `Connected to Burp Suite DAST: ${sites.length} site${sites.length === 1 ? '' : 's'}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const data = await graphql(ctx, SITE_TREE_QUERY, {});
    const tree = data.site_tree;
    if (!tree || !Array.isArray(tree.sites)) ctx.http.fail('Burp Suite DAST answered without a site tree');
    const folders = new Map<string, any>((Array.isArray(tree.folders) ? tree.folders : []).map((f: any) => [String(f?.id), f]));
    const seen = new Set<string>();
    for (const site of tree.sites) {
      if (site?.id === undefined || site?.id === null || site.id === '') ctx.http.fail('Burp Suite DAST listed a site without an id');
      const key = String(site.id);
      if (seen.has(key)) ctx.http.fail(`Burp Suite DAST listed site ${key} twice: the site tree is inconsistent`);
      seen.add(key);
      // CI-driven scans create ephemeral sites that disappear again: not products
      if (site.ephemeral === true) continue;
      // the newest scan is display information, and proves the key can read the site's scans
      const scan = await latestScan(ctx, key);
      yield {
        key,
        name: sitePath(ctx, site, folders),
        metadata: {
          startUrls: Array.isArray(site.scope_v2?.start_urls) ? site.scope_v2.start_urls : [],
          latestScanId: scan ? String(scan.id) : null,
          latestScanAt: scan?.end_time ?? scan?.start_time ?? null,
        },
      };
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const scan = await latestScan(ctx, vep.key);
    // a site never scanned successfully has no issues: an empty, complete answer
    if (!scan) return;
    const scanInfo = scanContext(scan, root(ctx));
    let withFingerprint = true;
    const serials = new Set<string>();
    for (let start = 0; ; ) {
      let data;
      try {
        data = await graphql(ctx, scanIssuesQuery(withFingerprint), { scanId: scanInfo.scanId, start, count: PAGE_SIZE });
      } catch (e) {
        if (withFingerprint && /fingerprint/i.test((e as Error).message) && !/^\d{3} /.test((e as Error).message)) {
          withFingerprint = false;
          continue;
        }
        throw e;
      }
      if (!data.scan) ctx.http.fail(`Burp Suite DAST has no scan ${scanInfo.scanId} (deleted while reading?)`);
      const issues = data.scan.issues;
      if (!Array.isArray(issues)) ctx.http.fail(`Burp Suite DAST did not list the issues of scan ${scanInfo.scanId}`);
      for (const issue of issues) {
        const serial = String(issue?.serial_number ?? '');
        if (!serial) ctx.http.fail(`Burp Suite DAST listed an issue of scan ${scanInfo.scanId} without a serial number`);
        // start/count paging has no cursor to check, so a page that repeats an issue is the loop signal
        if (serials.has(serial)) ctx.http.fail(`Burp Suite DAST: pagination loops back to a page already read (issue ${serial} of scan ${scanInfo.scanId} came twice)`);
        serials.add(serial);
      }
      if (issues.length) yield issues.map((i: any) => normalizeIssue(i, scanInfo));
      if (serials.size > MAX_ISSUES) ctx.http.fail(`Burp Suite DAST: more than ${MAX_ISSUES} issues in scan ${scanInfo.scanId}; stopping`);
      // the page may be capped below what was asked: only an empty page ends the listing
      if (!issues.length) return;
      start += issues.length;
    }
  },
};
