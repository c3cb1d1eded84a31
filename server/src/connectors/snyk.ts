// Snyk REST API: one VEP per Snyk project of an organization; findings are the issues whose scan
// item is that project (research/connectors.md §6).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, pageGuard } from './http.ts';
import { normalizeIssue } from './snyk-issues.ts';
import { sameOriginNext } from './next-page.ts';

// Every REST call must name a version; 2024-10-15 is the GA version the issues payloads were checked against.
const API_VERSION = '2024-10-15';
// Snyk's REST limit is 10..100 in steps of 10
const PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** https://api.snyk.io/rest, whether the user typed the /rest suffix or not. */
function restBase(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/rest$/, '') + '/rest';
}

function orgId(ctx: KindContext): string {
  return String(ctx.config.options.orgId ?? '').trim();
}

function headers(ctx: KindContext): Record<string, string> {
  return { authorization: `token ${ctx.config.secret ?? ''}`, accept: 'application/vnd.api+json' };
}

/**
 * `links.next` is relative to /rest, and comes with or without the /rest prefix depending on the
 * endpoint; an absolute link must stay on the configured host. Every call carries `version`.
 */
function resolveNext(ctx: KindContext, next: string, current: string): string {
  const base = restBase(ctx);
  const url = /^https?:\/\//i.test(next)
    ? sameOriginNext(ctx.http, next, current, base)
    : new URL(base + (next.startsWith('/rest/') ? next.slice('/rest'.length) : next.startsWith('/') ? next : `/${next}`)).toString();
  const u = new URL(url);
  if (!u.searchParams.has('version')) u.searchParams.set('version', API_VERSION);
  return u.toString();
}

/** Every page of a JSON:API list: stops only when `links.next` is absent; anything odd throws. */
async function* jsonApiPages(ctx: KindContext, firstUrl: string, what: string): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  let url: string | null = firstUrl;
  while (url) {
    guard(url);
    const res = await ctx.http.request(url, { headers: headers(ctx), accept: [404] }, ctx.signal);
    if (res.status === 404) ctx.http.fail(`Snyk: no organization "${orgId(ctx)}" visible to this token (404 listing ${what}); check the orgId`, 404);
    const body = ctx.http.parseJson<any>(res);
    if (!body || !Array.isArray(body.data)) ctx.http.fail(`Snyk answered the ${what} list without a data array`);
    yield body.data;
    const next = body.links?.next;
    if (next !== undefined && next !== null && typeof next !== 'string') ctx.http.fail(`Snyk sent a links.next that is not a link (${what})`);
    url = next ? resolveNext(ctx, next, url) : null;
  }
}

export const snykKind: ConnectorKind = {
  id: 'snyk',
  label: 'Snyk',
  fields: [
    { name: 'url', label: 'API URL', type: 'url', required: true, secret: false, help: 'https://api.snyk.io (or api.eu.snyk.io, api.au.snyk.io)' },
    { name: 'secret', label: 'API token', type: 'password', required: true, secret: true, help: 'A personal or service-account token that can view the organization\'s projects and issues' },
    { name: 'orgId', label: 'Organization ID', type: 'string', required: true, secret: false, help: 'The organization\'s UUID (Settings → General)' },
  ],
  /*
   * unique_id_from_tool_or_hash_code: the issue id is stable while Snyk tracks the issue, and the
   * hash over DefectDojo's "Snyk Scan" fields (plus line, so two Code issues of one rule in one file
   * stay apart) still matches when Snyk re-creates the issue under a new id after a re-import.
   */
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['vuln_id_from_tool', 'file_path', 'line', 'component_name', 'component_version'] },

  validateOptions(options) {
    const id = typeof options.orgId === 'string' ? options.orgId.trim() : '';
    if (!id) return 'orgId: the Snyk organization ID is required';
    if (!UUID.test(id)) return `orgId: "${options.orgId}" is not an organization ID (a UUID, not the organization's slug)`;
    return null;
  },

  async testConnection(ctx) {
    const res = await ctx.http.request(joinUrl(restBase(ctx), `orgs/${encodeURIComponent(orgId(ctx))}`, { version: API_VERSION }), { headers: headers(ctx), accept: [404] }, ctx.signal);
    if (res.status === 404) ctx.http.fail(`Snyk: no organization "${orgId(ctx)}" visible to this token; check the orgId`, 404);
    const org = ctx.http.parseJson<any>(res)?.data;
    return `Connected to Snyk organization ${org?.attributes?.name ?? orgId(ctx)}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const first = joinUrl(restBase(ctx), `orgs/${encodeURIComponent(orgId(ctx))}/projects`, { version: API_VERSION, limit: PAGE_SIZE });
    for await (const page of jsonApiPages(ctx, first, 'projects')) {
      for (const p of page) {
        if (typeof p?.id !== 'string' || !p.id) ctx.http.fail('Snyk listed a project without an id');
        const a = p.attributes ?? {};
        yield {
          key: p.id,
          name: String(a.name ?? p.id),
          metadata: { type: a.type ?? null, origin: a.origin ?? null, targetFile: a.target_file || null, targetReference: a.target_reference ?? null, targetId: p.relationships?.target?.data?.id ?? null },
        };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const first = joinUrl(restBase(ctx), `orgs/${encodeURIComponent(orgId(ctx))}/issues`, {
      version: API_VERSION, 'scan_item.id': vep.key, 'scan_item.type': 'project', limit: PAGE_SIZE,
    });
    for await (const page of jsonApiPages(ctx, first, 'issues')) {
      if (page.length) yield page.map(normalizeIssue);
    }
  },
};
