// AWS Security Hub through the AWS SDK: one VEP per account + region (the connector's own account
// and every member account associated with it, in each configured region, as DefectDojo Pro's
// connector does); findings are that account's ACTIVE ASFF records in that region, read with
// GetFindings and NextToken. Requests travel over GuardedHttp (aws-securityhub-transport.ts).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { pageGuard } from './http.ts';
import { awsCall, securityHubClient } from './aws-securityhub-transport.ts';
import { normalizeAsff } from './aws-securityhub-findings.ts';

// GetFindings' MaxResults is 1..100; ListMembers' 1..50
const FINDINGS_PAGE = 100;
const MEMBERS_PAGE = 50;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
// a long-term IAM user key: temporary (ASIA…) keys also need a session token, which this kind does not take
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;

function regions(ctx: KindContext): string[] {
  return String(ctx.config.options.regions ?? '').split(/[\s,]+/).map((r) => r.trim()).filter(Boolean);
}

/** The configured endpoint (a VPC endpoint, LocalStack, a test server), or null for AWS's regional one. */
function endpoint(ctx: KindContext): string | null {
  const url = ctx.config.url?.trim();
  return url ? url.replace(/\/+$/, '') : null;
}

async function client(ctx: KindContext, region: string) {
  return securityHubClient(ctx, region, {
    accessKeyId: String(ctx.config.options.accessKeyId ?? '').trim(),
    secretAccessKey: ctx.config.secret ?? '',
  }, endpoint(ctx));
}

/** "123456789012/eu-west-1" → its parts; the key is ours, so a malformed one is a bug, not a vendor answer. */
function parseKey(ctx: KindContext, key: string): { account: string; region: string } {
  const m = /^(\d{12})\/([a-z0-9-]+)$/.exec(key);
  if (!m) ctx.http.fail(`AWS Security Hub: "${key}" is not an account/region record key`);
  return { account: m[1]!, region: m[2]! };
}

/** The account that owns the hub, read from its ARN (arn:aws:securityhub:<region>:<account>:hub/default). */
async function hubAccount(ctx: KindContext, region: string): Promise<string> {
  const sh = await client(ctx, region);
  const { DescribeHubCommand } = await import('@aws-sdk/client-securityhub');
  const hub = await awsCall(ctx, `describing the hub in ${region}`, () => sh.send(new DescribeHubCommand({})));
  const account = /^arn:aws[a-z-]*:securityhub:[^:]*:(\d{12}):hub\//.exec(hub.HubArn ?? '')?.[1];
  if (!account) ctx.http.fail(`AWS Security Hub in ${region} answered DescribeHub without a hub ARN`);
  return account;
}

export const awsSecurityHubKind: ConnectorKind = {
  id: 'aws-securityhub',
  label: 'AWS Security Hub',
  fields: [
    { name: 'url', label: 'Endpoint URL', type: 'url', required: false, secret: false, help: 'Empty: AWS\'s regional endpoint (securityhub.<region>.amazonaws.com); set it for a VPC endpoint' },
    { name: 'secret', label: 'Secret access key', type: 'password', required: true, secret: true, help: 'Of an IAM user with securityhub:DescribeHub, ListMembers and GetFindings (the administrator account sees its members\' findings)' },
    { name: 'accessKeyId', label: 'Access key ID', type: 'string', required: true, secret: false, help: 'AKIA…' },
    { name: 'regions', label: 'Regions', type: 'string', required: true, secret: false, help: 'Comma-separated regions where Security Hub is enabled, e.g. us-east-1, eu-west-1' },
  ],
  /*
   * unique_id_from_tool, as DefectDojo's "AWS Security Hub Scan": the finding Id is the product's
   * stable identifier for the finding (an ARN for AWS products), kept for its whole life.
   */
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'severity', 'description', 'component_name', 'component_version'] },

  validateOptions(options) {
    const key = typeof options.accessKeyId === 'string' ? options.accessKeyId.trim() : '';
    if (!key) return 'accessKeyId: the access key ID is required (the secret access key goes in secret)';
    if (!ACCESS_KEY_ID.test(key)) return `accessKeyId: "${key.slice(0, 24)}" is not an IAM user's access key ID (AKIA…)`;
    const list = String(options.regions ?? '').split(/[\s,]+/).filter(Boolean);
    if (!list.length) return 'regions: at least one region is required, e.g. us-east-1';
    const bad = list.find((r) => !REGION.test(r));
    if (bad) return `regions: "${bad}" is not an AWS region name (e.g. eu-west-1)`;
    return null;
  },

  async testConnection(ctx) {
    const [first] = regions(ctx);
    if (!first) ctx.http.fail('AWS Security Hub: no region configured');
    const account = await hubAccount(ctx, first);
    return `Connected to AWS Security Hub: account ${account} in ${first}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const { ListMembersCommand } = await import('@aws-sdk/client-securityhub');
    const seen = new Set<string>();
    for (const region of regions(ctx)) {
      const own = await hubAccount(ctx, region);
      seen.add(`${own}/${region}`);
      yield { key: `${own}/${region}`, name: `${own} (${region})`, metadata: { accountId: own, region, role: 'administrator' } };
      const sh = await client(ctx, region);
      const guard = pageGuard(ctx.http);
      let token: string | undefined;
      do {
        const page = await awsCall(ctx, `listing member accounts in ${region}`, () => sh.send(new ListMembersCommand({ OnlyAssociated: true, MaxResults: MEMBERS_PAGE, NextToken: token })));
        for (const m of page.Members ?? []) {
          if (!m.AccountId) ctx.http.fail(`AWS Security Hub listed a member account without an AccountId in ${region}`);
          const key = `${m.AccountId}/${region}`;
          if (seen.has(key)) continue;
          seen.add(key);
          yield { key, name: `${m.AccountId} (${region})`, metadata: { accountId: m.AccountId, region, role: 'member', email: m.Email ?? null, memberStatus: m.MemberStatus ?? null } };
        }
        token = page.NextToken || undefined;
        if (token) guard(`token:${token}`);
      } while (token);
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const { GetFindingsCommand } = await import('@aws-sdk/client-securityhub');
    const { account, region } = parseKey(ctx, vep.key);
    const sh = await client(ctx, region);
    const guard = pageGuard(ctx.http);
    const Filters = {
      AwsAccountId: [{ Value: account, Comparison: 'EQUALS' as const }],
      Region: [{ Value: region, Comparison: 'EQUALS' as const }],
      // ARCHIVED records are findings their product has retired: absent, so closed
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }],
    };
    let token: string | undefined;
    do {
      const page = await awsCall(ctx, `reading findings of ${account} in ${region}`, () => sh.send(new GetFindingsCommand({ Filters, MaxResults: FINDINGS_PAGE, NextToken: token })));
      const findings = page.Findings ?? ctx.http.fail(`AWS Security Hub answered GetFindings without Findings for ${account} in ${region}`);
      if (findings.length) yield findings.map((f) => normalizeAsff(f, region));
      token = page.NextToken || undefined;
      if (token) guard(`token:${token}`);
    } while (token);
  },
};
