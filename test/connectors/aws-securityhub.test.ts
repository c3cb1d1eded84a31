import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSecurityHubKind } from '@tributary/server/connectors/aws-securityhub.ts';
import { startAwsSecurityHubFake, type AwsSecurityHubFake } from '../fakes/aws-securityhub.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const ADMIN = '111111111111';
const ACCOUNTS = [
  { key: `${ADMIN}/us-east-1`, name: 'security' },
  { key: '222222222222/us-east-1', name: 'payments' },
  { key: '333333333333/us-east-1', name: 'data' },
  { key: '444444444444/eu-west-1', name: 'eu-shop' },
];
const vep = { key: `${ADMIN}/us-east-1`, name: ADMIN };
const FINDINGS: FakeFinding[] = [
  { id: 'openssl', title: 'CVE-2023-0286 - openssl', severity: 'HIGH', cve: 'CVE-2023-0286', componentName: 'openssl', componentVersion: '3.0.5' },
  { id: 'code', title: 'SQL injection', severity: 'CRITICAL', cwe: 89, filePath: 'app/db.py', line: 12 },
  { id: '8', title: 'EC2 instances should use IMDSv2', severity: 'MEDIUM' },
  { id: '9', title: 'EC2 default security group allows traffic', severity: 'LOW', state: 'risk_accepted' },
  { id: '10', title: 'EBS encryption by default', severity: 'INFO', state: 'fixed' },
];

describe('aws-securityhub kind', () => {
  let fake: AwsSecurityHubFake;
  beforeEach(async () => {
    fake = await startAwsSecurityHubFake();
    fake.setProjects(ACCOUNTS);
  });
  afterEach(() => fake.close());
  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('signs with SigV4 through the guarded client and names the hub\'s account', async () => {
    expect(await awsSecurityHubKind.testConnection(ctx())).toBe(`Connected to AWS Security Hub: account ${ADMIN} in us-east-1`);
    const [r] = fake.requests;
    expect([r!.method, r!.url]).toEqual(['GET', '/accounts']);
    expect(r!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/securityhub\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
  });

  it('discovers the administrator and its associated members in every configured region, over NextToken pages', async () => {
    fake.setPageSizeCap(1);
    const veps = await discoverAll(awsSecurityHubKind, ctx({ options: { regions: 'us-east-1, eu-west-1' } }));
    expect(veps.map((v) => v.key)).toEqual([`${ADMIN}/us-east-1`, '222222222222/us-east-1', '333333333333/us-east-1', `${ADMIN}/eu-west-1`, '444444444444/eu-west-1']);
    expect(veps[1]).toEqual({ key: '222222222222/us-east-1', name: '222222222222 (us-east-1)', metadata: { accountId: '222222222222', region: 'us-east-1', role: 'member', email: 'payments@example.com', memberStatus: 'Enabled' } });
    expect(fake.signedRegions).toEqual(['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1']);
    expect(fake.requests.filter((r) => r.url.startsWith('/members')).map((r) => r.url.replace(/NextToken=[^&]+/, 'NextToken=…'))).toEqual([
      '/members?OnlyAssociated=true&MaxResults=50', '/members?OnlyAssociated=true&MaxResults=50&NextToken=…', '/members?OnlyAssociated=true&MaxResults=50',
    ]);
  });

  it('reads the account\'s ACTIVE findings in the region page by page and maps ASFF', async () => {
    fake.setFindings(vep.key, FINDINGS);
    fake.setFindings('222222222222/us-east-1', [{ id: 'other', title: 'Other account', severity: 'HIGH' }]);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(awsSecurityHubKind, ctx(), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['HIGH', 'CRITICAL', 'MEDIUM', 'LOW', 'INFO']);
    const [pkg, code, control, suppressed, passed] = all as [any, any, any, any, any];
    expect(pkg).toMatchObject({
      title: 'CVE-2023-0286 - openssl',
      uniqueIdFromTool: expect.stringMatching(/^arn:aws:inspector2:us-east-1:111111111111:finding\/[0-9a-f]{32}$/),
      vulnIdFromTool: 'AWSInspector',
      vulnerabilityIds: ['CVE-2023-0286'],
      componentName: 'openssl',
      componentVersion: '3.0.5',
      fixVersion: '0:3.0.7-27.amzn2023.0.1',
      fixAvailable: true,
      mitigation: 'Upgrade openssl.\nyum update openssl',
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      cvssV4Score: 8.7,
      cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N',
      epssScore: 0.00042,
      knownExploited: null,
      toolName: 'Inspector',
      references: 'https://alas.aws.amazon.com/AL2023/ALAS-2023-123.html\nhttps://nvd.nist.gov/vuln/detail/CVE-2023-0286',
      date: new Date('2025-01-15T08:00:00.000Z'),
      mitigated: false,
      dismissed: false,
    });
    expect(pkg.vendorUrl).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/securityhub\/home\?region=us-east-1#\/findings\?search=Id%3D%5Coperator%5C%3AEQUALS%5C%3Aarn%3Aaws%3Ainspector2/);
    expect(pkg.description).toMatch(/^CVE-2023-0286 - openssl was detected\.\n\nResources: arn:aws:ec2:us-east-1:111111111111:instance\/i-0\w+\n\nAWS account 111111111111, region us-east-1, generator AWSInspector$/);
    expect([code.filePath, code.line, code.endLine, code.cwe, code.cwes]).toEqual(['app/db.py', 12, 14, 89, [89, 20]]);
    expect([control.vulnIdFromTool, control.toolName, control.mitigated, control.references]).toEqual(['EC2.8', 'Security Hub', false, 'https://docs.aws.amazon.com/console/securityhub/EC2.8/remediation']);
    expect([suppressed.dismissed, suppressed.dismissedBy, suppressed.dismissedAt, suppressed.dismissedReason, suppressed.falsePositive]).toEqual([
      true, 'arn:aws:iam::111111111111:user/alice', new Date('2025-05-20T10:00:00.000Z'), 'Accepted until the Q3 migration', undefined,
    ]);
    expect([passed.mitigated, passed.mitigatedAt]).toEqual([true, new Date('2025-06-02T09:30:00.000Z')]);
    // the archived record and the other account's finding are filtered out by the request itself
    expect(all.some((f) => f.title === 'Archived finding' || f.title === 'Other account')).toBe(false);
  });

  it('a wrong secret access key is refused as AWS refuses it, and never appears in the message', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/WRONGWRONGWRONGKEY';
    const err = await connectorFailure(discoverAll(awsSecurityHubKind, ctx({ secret })));
    expect(err.status).toBe(403);
    expect(err.message).toBe('403 from AWS Security Hub (the credentials were rejected) describing the hub in us-east-1: InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    const unknown = await connectorFailure(awsSecurityHubKind.testConnection(ctx({ options: { accessKeyId: 'AKIAUNKNOWNKEY000000' } })));
    expect(unknown.message).toMatch(/^403 from AWS Security Hub \(the credentials were rejected\) describing the hub in us-east-1: UnrecognizedClientException: /);
  });

  it('waits out ThrottlingException, as 429 and as AWS\'s older 400 form, with one retry policy', async () => {
    fake.throttleNext(2, 429);
    expect(await discoverAll(awsSecurityHubKind, ctx())).toHaveLength(3);
    // DescribeHub and one ListMembers page, plus the two throttled attempts
    expect(fake.requests).toHaveLength(4);
    fake.throttleNext(1, 400);
    expect(await discoverAll(awsSecurityHubKind, ctx())).toHaveLength(3);
    expect(fake.requests).toHaveLength(4 + 3);
  });

  it('checks its options', () => {
    const ok = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', regions: 'us-east-1,eu-west-1' };
    expect(awsSecurityHubKind.validateOptions!(ok, '')).toBeNull();
    expect(awsSecurityHubKind.validateOptions!({ ...ok, accessKeyId: 'wJalrXUtnFEMI/K7MDENG' }, '')).toMatch(/^accessKeyId: .* is not an IAM user's access key ID/);
    expect(awsSecurityHubKind.validateOptions!({ ...ok, regions: 'us-east-1, Frankfurt' }, '')).toBe('regions: "Frankfurt" is not an AWS region name (e.g. eu-west-1)');
    expect(awsSecurityHubKind.validateOptions!({ accessKeyId: ok.accessKeyId }, '')).toBe('regions: at least one region is required, e.g. us-east-1');
  });
});
