// An in-memory AWS Security Hub (restJson1, as the SDK's model describes it): GET /accounts
// (DescribeHub), GET /members (ListMembers: OnlyAssociated, MaxResults, NextToken), POST /findings
// (GetFindings: Filters, MaxResults ≤ 100, NextToken), each request's SigV4 signature checked with
// the documented algorithm (so a wrong secret access key is refused as AWS refuses it: 403
// InvalidSignatureException; an unknown key id: 403 UnrecognizedClientException), errors as
// `x-amzn-ErrorType` + JSON body. The region is the credential scope's (one endpoint serves all).
// A FakeVep key is "<account>/<region>"; the first listed account is the administrator (the
// caller), the others its associated members. A FakeFinding with a `componentName` renders as an
// Inspector package vulnerability, one with a `cwe` and `filePath` as an Inspector code
// vulnerability, any other as a failed security-control check. `fixed` is a PASSED control (or a
// RESOLVED workflow); false_positive / risk_accepted are SUPPRESSED with a note. Each account also
// holds one ARCHIVED record, which a RecordState filter must keep out.
import { createHash, createHmac } from 'node:crypto';
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { decodeCursor, encodeCursor, uuidFor } from './vendor-ids.ts';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SEVERITY: Record<string, [string, number]> = { CRITICAL: ['CRITICAL', 90], HIGH: ['HIGH', 70], MEDIUM: ['MEDIUM', 40], LOW: ['LOW', 1], INFO: ['INFORMATIONAL', 0] };

export interface AwsSecurityHubFake extends FakeTool {
  /** the next `times` requests answer a throttle: 429 ThrottlingException, or AWS's older 400 form */
  throttleNext(times: number, status?: 400 | 429): void;
  /** the regions whose credential scope each request named, in order */
  readonly signedRegions: string[];
}

const awsError = (status: number, type: string, message: string): FakeReply => ({
  status,
  headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': uuidFor(`${type}:${message}`) },
  body: { message },
});

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();
/** RFC 3986 encoding, as SigV4's canonical form wants it */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The SigV4 check from AWS's "Create a signed AWS API request": returns the problem, or the scope's region. */
function verifySigV4(req: FakeRequest): { error: FakeReply } | { region: string } {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { error: awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token') };
  const [, keyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== ACCESS_KEY_ID) return { error: awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.') };
  if (service !== 'securityhub') return { error: awsError(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'securityhub'.`) };
  const amzDate = req.headers['x-amz-date'] ?? '';
  if (!amzDate.startsWith(date!)) return { error: awsError(403, 'InvalidSignatureException', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.') };
  const canonicalUri = req.url.pathname.split('/').map((seg) => rfc3986(rfc3986(decodeURIComponent(seg)))).join('/') || '/';
  const canonicalQuery = [...req.url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = req.headers['x-amz-content-sha256'] ?? sha256(req.body);
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${SECRET_ACCESS_KEY}`, date!), region!), service!), 'aws4_request');
  if (createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex') !== signature) {
    return { error: awsError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.') };
  }
  return { region: region! };
}

export async function startAwsSecurityHubFake(): Promise<AwsSecurityHubFake> {
  let accounts: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const signedRegions: string[] = [];
  let throttles: { left: number; status: number } = { left: 0, status: 429 };

  const asff = (account: string, region: string, f: FakeFinding, archived = false) => {
    const [label, normalized] = SEVERITY[f.severity]!;
    const now = '2025-06-01T12:00:00.000Z';
    const suppressed = f.state === 'false_positive' || f.state === 'risk_accepted';
    const base = {
      SchemaVersion: '2018-10-08', AwsAccountId: account, Region: region, CompanyName: 'Amazon',
      FirstObservedAt: '2025-01-15T08:00:00.000Z', LastObservedAt: now, CreatedAt: '2025-01-15T08:00:00.000Z', UpdatedAt: '2025-06-02T09:30:00.000Z',
      Severity: { Label: label, Normalized: normalized, Original: label },
      Title: f.title, Description: f.description ?? `${f.title} was detected.`,
      Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${region}:${account}:instance/i-0${uuidFor(f.id).replace(/-/g, '').slice(0, 16)}`, Partition: 'aws', Region: region }],
      RecordState: archived ? 'ARCHIVED' : 'ACTIVE',
      Workflow: { Status: suppressed ? 'SUPPRESSED' : f.state === 'fixed' && (f.componentName || f.cwe) ? 'RESOLVED' : 'NEW' },
      ...(suppressed ? { Note: { Text: f.state === 'risk_accepted' ? 'Accepted until the Q3 migration' : 'Not reachable: port closed by NACL', UpdatedBy: 'arn:aws:iam::111111111111:user/alice', UpdatedAt: '2025-05-20T10:00:00.000Z' } } : {}),
    };
    if (f.componentName) {
      return {
        ...base,
        Id: `arn:aws:inspector2:${region}:${account}:finding/${createHash('md5').update(`${account}${region}${f.id}`).digest('hex')}`,
        ProductArn: `arn:aws:securityhub:${region}::product/aws/inspector`, ProductName: 'Inspector', GeneratorId: 'AWSInspector',
        Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
        ProductFields: { 'aws/securityhub/ProductName': 'Inspector', 'aws/inspector/FindingStatus': 'ACTIVE' },
        Remediation: { Recommendation: { Text: `Upgrade ${f.componentName}.` } },
        Vulnerabilities: [{
          Id: f.cve ?? 'CVE-2024-0001',
          VulnerablePackages: [{ Name: f.componentName, Version: f.componentVersion ?? '1.0', Epoch: '0', Release: '1.amzn2', Architecture: 'X86_64', PackageManager: 'OS', FixedInVersion: '0:3.0.7-27.amzn2023.0.1', Remediation: `yum update ${f.componentName}` }],
          Cvss: [{ Version: '3.1', BaseScore: 7.5, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', Source: 'NVD' }, { Version: '4.0', BaseScore: 8.7, BaseVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', Source: 'NVD' }],
          Vendor: { Name: 'NVD', Url: `https://nvd.nist.gov/vuln/detail/${f.cve ?? 'CVE-2024-0001'}`, VendorSeverity: label },
          ReferenceUrls: ['https://alas.aws.amazon.com/AL2023/ALAS-2023-123.html'],
          FixAvailable: 'YES', ExploitAvailable: 'NO', EpssScore: 0.00042,
        }],
      };
    }
    if (f.cwe && f.filePath) {
      return {
        ...base,
        Id: `arn:aws:inspector2:${region}:${account}:finding/${createHash('md5').update(`code${account}${region}${f.id}`).digest('hex')}`,
        ProductArn: `arn:aws:securityhub:${region}::product/aws/inspector`, ProductName: 'Inspector', GeneratorId: 'AWSInspector',
        Types: ['Software and Configuration Checks/Vulnerabilities/Code'],
        Vulnerabilities: [{ Id: `python/sql-injection@v1.0-${f.id}`, CodeVulnerabilities: [{ Cwes: [`CWE-${f.cwe}`, 'CWE-20'], FilePath: { FileName: f.filePath.split('/').pop(), FilePath: f.filePath, StartLine: f.line ?? 1, EndLine: (f.line ?? 1) + 2 }, SourceArn: `arn:aws:lambda:${region}:${account}:layer:app:1` }] }],
      };
    }
    return {
      ...base,
      Id: `arn:aws:securityhub:${region}:${account}:security-control/EC2.${f.id}/finding/${uuidFor(`${account}${region}${f.id}`)}`,
      ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`, ProductName: 'Security Hub', GeneratorId: `security-control/EC2.${f.id}`,
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
      Remediation: { Recommendation: { Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.', Url: 'https://docs.aws.amazon.com/console/securityhub/EC2.8/remediation' } },
      Compliance: { Status: f.state === 'fixed' ? 'PASSED' : 'FAILED', SecurityControlId: `EC2.${f.id}` },
      ProductFields: { 'aws/securityhub/ProductName': 'Security Hub' },
    };
  };

  const admin = () => (accounts[0]?.key ?? '111111111111/us-east-1').split('/')[0]!;

  const paged = <T>(items: T[], maxResults: number, nextToken: string | null, max: number): { page: T[]; next: string | null } | FakeReply => {
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) return awsError(400, 'InvalidInputException', `MaxResults must be between 1 and ${max}`);
    const offset = decodeCursor(nextToken);
    if (offset === null) return awsError(400, 'InvalidInputException', 'The NextToken is invalid.');
    const end = offset + Math.min(maxResults, fake.pageSizeCap);
    return { page: items.slice(offset, end), next: end < items.length ? encodeCursor(fake.loopingPagination ? 0 : end) : null };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const verified = verifySigV4(req);
    if ('error' in verified) return verified.error;
    const region = verified.region;
    signedRegions.push(region);
    if (throttles.left > 0) {
      throttles.left--;
      return awsError(throttles.status, 'ThrottlingException', 'Rate exceeded');
    }
    if (req.method === 'GET' && req.url.pathname === '/accounts') {
      return { body: { HubArn: `arn:aws:securityhub:${region}:${admin()}:hub/default`, SubscribedAt: '2023-04-05T06:07:08.000Z', AutoEnableControls: true, ControlFindingGenerator: 'SECURITY_CONTROL' } };
    }
    if (req.method === 'GET' && req.url.pathname === '/members') {
      const members = accounts.slice(1).filter((a) => a.key.endsWith(`/${region}`)).map((a) => ({
        AccountId: a.key.split('/')[0], Email: `${a.name}@example.com`, MasterId: admin(), AdministratorId: admin(), MemberStatus: 'Enabled',
        InvitedAt: '2023-04-05T06:07:08.000Z', UpdatedAt: '2024-04-05T06:07:08.000Z',
      }));
      const r = paged(members, Number(req.url.searchParams.get('MaxResults') ?? 50), req.url.searchParams.get('NextToken'), 50);
      return 'page' in r ? { body: { Members: r.page, ...(r.next ? { NextToken: r.next } : {}) } } : r;
    }
    if (req.method === 'POST' && req.url.pathname === '/findings') {
      let input: any;
      try { input = JSON.parse(req.body || '{}'); } catch { return awsError(400, 'SerializationException', 'Malformed request body'); }
      const eq = (name: string) => (input.Filters?.[name] ?? []).filter((c: any) => c.Comparison === 'EQUALS').map((c: any) => c.Value as string);
      const [accountIds, regionsWanted, states] = [eq('AwsAccountId'), eq('Region'), eq('RecordState')];
      const all = [...findings.entries()].flatMap(([key, list]) => {
        const [account, r] = key.split('/') as [string, string];
        return [...list.map((f) => asff(account, r, f)), asff(account, r, { id: 'old', title: 'Archived finding', severity: 'HIGH' }, true)];
      }).filter((f) => (!accountIds.length || accountIds.includes(f.AwsAccountId)) && (!regionsWanted.length || regionsWanted.includes(f.Region)) && (!states.length || states.includes(f.RecordState)));
      const r = paged(all, input.MaxResults ?? 100, input.NextToken ?? null, 100);
      return 'page' in r ? { body: { Findings: r.page, ...(r.next ? { NextToken: r.next } : {}) } } : r;
    }
    return awsError(404, 'UnknownOperationException', `No operation ${req.method} ${req.url.pathname}`);
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 100 });
  return {
    ...fakeControls(fake),
    kind: 'aws-securityhub',
    url: fake.url,
    token: SECRET_ACCESS_KEY,
    options: { accessKeyId: ACCESS_KEY_ID, regions: 'us-east-1' },
    projectKey: (n) => `${String(111_111_111_110 + n)}/us-east-1`,
    setProjects(list) { accounts = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    throttleNext(times, status = 429) { throttles = { left: times, status }; },
    signedRegions,
  };
}
