// A DefectDojo instance as a source (REST API v2): its products are the VEPs, every finding of a
// product (all tests, all statuses) its findings, so a team can move from DefectDojo to Tributary
// with each finding's triage carried over (research/connectors.md §10, DefectDojo's API v2 schema).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, pageGuard } from './http.ts';
import { sameOriginNext } from './next-page.ts';
import { normalizeDojoFinding } from './defectdojo-findings.ts';

// DRF's LimitOffsetPagination answers 25 rows unless asked; 100 products and 250 findings a page
// keep each answer under ~2 MB (a finding with related_fields is ~6 KB of JSON)
const PRODUCT_PAGE = 100;
const FINDING_PAGE = 250;

function base(ctx: KindContext): string {
  // the API lives under /api/v2/; a URL pasted with that suffix still works
  return ctx.config.url.replace(/\/+$/, '').replace(/\/api\/v2$/, '');
}

function headers(ctx: KindContext): Record<string, string> {
  return { authorization: `Token ${ctx.config.secret ?? ''}` };
}

/**
 * Every row of a DRF list: follows `next` (an absolute URL that must stay on the configured host),
 * refuses a `next` that loops, and checks that every page announces the same `count` and that the
 * rows received add up to it. Offsets shift when rows are added or deleted mid-listing, so a row
 * may be skipped; checking the last page's count alone is not enough, since a deletion before the
 * current offset makes the rows read (one of them the deleted row) equal the new, smaller count
 * while another row fell between pages.
 */
async function* dojoPages(ctx: KindContext, first: string, what: string): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  const seen = new Set<string>();
  let url: string | null = first;
  let count: number | null = null;
  while (url) {
    guard(url);
    const { data }: { data: any } = await ctx.http.json<any>(url, { headers: headers(ctx) }, ctx.signal);
    if (!data || !Array.isArray(data.results) || typeof data.count !== 'number') ctx.http.fail(`DefectDojo answered the ${what} list without count and results (is the URL the DefectDojo root?)`);
    if (count !== null && data.count !== count) ctx.http.fail(`DefectDojo announced ${count} ${what}, then ${data.count} while they were read: the list changed; try again`);
    count = data.count;
    for (const row of data.results) {
      const id = String(row?.id ?? '');
      if (!id) ctx.http.fail(`DefectDojo listed one of the ${what} without an id`);
      if (seen.has(id)) ctx.http.fail(`DefectDojo listed ${what} ${id} twice while paging: the pagination loops or the list changed; try again`);
      seen.add(id);
    }
    yield data.results;
    if (data.next !== null && data.next !== undefined && typeof data.next !== 'string') ctx.http.fail(`DefectDojo sent a next that is not a link (${what})`);
    url = data.next ? sameOriginNext(ctx.http, data.next, url, base(ctx)) : null;
  }
  if (seen.size !== (count ?? 0)) ctx.http.fail(`DefectDojo announced ${count} ${what} but sent ${seen.size}: the list changed while it was read; try again`);
}

export const defectdojoKind: ConnectorKind = {
  id: 'defectdojo',
  label: 'DefectDojo',
  fields: [
    { name: 'url', label: 'DefectDojo URL', type: 'url', required: true, secret: false, help: 'The instance root, e.g. https://defectdojo.example.com (the API is under /api/v2/)' },
    { name: 'secret', label: 'API v2 key', type: 'password', required: true, secret: true, help: 'The key shown at /api/key-v2 for a user who can view the products to import' },
  ],
  /*
   * unique_id_from_tool on DefectDojo's own finding id: it never changes while the finding lives,
   * and a product holds many tests whose findings legitimately share title, file and line (the same
   * issue found by two scanners, or DefectDojo's duplicates), so matching by a hash would merge them.
   * The hash is DefectDojo's legacy field list, stored for cross-kind comparison only.
   */
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'cwe', 'line', 'file_path', 'description'] },

  async testConnection(ctx) {
    const { data } = await ctx.http.json<any>(joinUrl(base(ctx), 'api/v2/products/', { limit: 1 }), { headers: headers(ctx) }, ctx.signal);
    if (typeof data?.count !== 'number') ctx.http.fail('DefectDojo answered /api/v2/products/ without a count: is the URL the DefectDojo root?');
    return `Connected to DefectDojo; the key sees ${data.count} product${data.count === 1 ? '' : 's'}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const first = joinUrl(base(ctx), 'api/v2/products/', { limit: PRODUCT_PAGE, offset: 0, o: 'id' });
    for await (const page of dojoPages(ctx, first, 'products')) {
      for (const p of page) {
        yield {
          key: String(p.id),
          name: String(p.name ?? p.id),
          metadata: { url: `${base(ctx)}/product/${p.id}`, productType: p.prod_type ?? null, lifecycle: p.lifecycle ?? null, businessCriticality: p.business_criticality ?? null },
        };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    if (!/^\d+$/.test(vep.key)) ctx.http.fail(`"${vep.key}" is not a DefectDojo product id`);
    // every status: a finding closed or marked false positive in DefectDojo must arrive as such,
    // not be absent (absent means "fixed" to the reimport)
    const first = joinUrl(base(ctx), 'api/v2/findings/', {
      test__engagement__product: vep.key, limit: FINDING_PAGE, offset: 0, o: 'id', related_fields: true,
    });
    for await (const page of dojoPages(ctx, first, 'findings')) {
      // a duplicate is DefectDojo's pointer at an original in the same product, which is imported
      // itself: importing both would count one issue twice
      const findings = page.filter((f) => f?.duplicate !== true).map((f) => normalizeDojoFinding(f, base(ctx)));
      if (findings.length) yield findings;
    }
  },
};
