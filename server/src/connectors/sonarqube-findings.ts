// Turns SonarQube issues and security hotspots into NormalizedFindings (research/connectors.md §1).
import { compareSeverity, type Severity } from '../severity.ts';
import type { KindContext, NormalizedFinding } from './kind.ts';
import { parseSonarDate, sonarAuth, sonarUrl } from './sonarqube-search.ts';
import { firstText, list, vendorObject } from './vendor-values.ts';

// DefectDojo's convert_sonar_severity, plus the 10.2+ impact scale (BLOCKER and INFO from 10.8)
const LEGACY_SEVERITY: Record<string, Severity> = { BLOCKER: 'CRITICAL', CRITICAL: 'HIGH', MAJOR: 'MEDIUM', MINOR: 'LOW', INFO: 'INFO' };
const IMPACT_SEVERITY: Record<string, Severity> = { BLOCKER: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'INFO' };
// DefectDojo stores at most 511 characters of a title
const TITLE_MAX = 511;

export interface RuleDetails { name: string; description: string; cwe: number | null; cwes?: number[] }

/** `api/rules/show` once per rule per fetch: CWE and description live on the rule, not the issue. */
export function ruleLookup(ctx: KindContext): (ruleKey: string | undefined) => Promise<RuleDetails | null> {
  const cache = new Map<string, Promise<RuleDetails | null>>();
  return (ruleKey) => {
    if (!ruleKey) return Promise.resolve(null);
    let hit = cache.get(ruleKey);
    if (!hit) {
      hit = fetchRule(ctx, ruleKey);
      cache.set(ruleKey, hit);
    }
    return hit;
  };
}

async function fetchRule(ctx: KindContext, ruleKey: string): Promise<RuleDetails | null> {
  // a rule removed from the server (plugin uninstalled) still has issues: 404 just means no details
  const response = await ctx.http.request(sonarUrl(ctx, 'api/rules/show', { key: ruleKey }), { headers: { accept: 'application/json', ...sonarAuth(ctx) }, accept: [404] }, ctx.signal);
  if (response.status === 404) return null;
  const rule = ctx.http.parseJson<{ rule?: Record<string, any> }>(response).rule;
  if (!rule) ctx.http.fail(`SonarQube answered api/rules/show?key=${ruleKey} without a "rule" object`);
  const sections = Array.isArray(rule.descriptionSections) ? rule.descriptionSections.map((s: { content?: unknown } | null) => (typeof s?.content === 'string' ? s.content : '')) : [];
  const html = [rule.htmlDesc, rule.mdDesc, ...sections].filter((s): s is string => typeof s === 'string' && !!s).join('\n');
  const fromStandards: number[] = [...new Set<number>(list(rule.securityStandards).map((s: unknown) => Number(/^cwe:(\d+)$/.exec(String(s))?.[1])).filter((n: number) => n > 0))];
  const fromText = /CWE-(\d+)/i.exec(html)?.[1];
  const cwes = fromStandards.length ? fromStandards : fromText ? [Number(fromText)] : [];
  return { name: String(rule.name ?? ruleKey), description: htmlToText(sections.length ? sections.join('\n') : html), cwe: cwes[0] ?? null, cwes };
}

export function issueSeverity(issue: Record<string, any>): Severity {
  if (Object.hasOwn(LEGACY_SEVERITY, String(issue.severity))) return LEGACY_SEVERITY[String(issue.severity)]!;
  const impacts: Array<{ softwareQuality?: string; severity?: string }> = Array.isArray(issue.impacts) ? issue.impacts : [];
  const security = impacts.filter((i) => i?.softwareQuality === 'SECURITY');
  const ranked = (security.length ? security : impacts).map((i) => IMPACT_SEVERITY[String(i?.severity ?? '')]).filter((s): s is Severity => !!s);
  return ranked.sort(compareSeverity)[0] ?? 'INFO';
}

export function normalizeIssue(ctx: KindContext, projectKey: string, item: unknown, components: Map<string, string>, rule: RuleDetails | null): NormalizedFinding {
  const issue = vendorObject(item, 'a SonarQube issue');
  const resolution = issue.resolution as string | undefined;
  const issueStatus = issue.issueStatus as string | undefined;
  const falsePositive = resolution === 'FALSE-POSITIVE' || issueStatus === 'FALSE_POSITIVE';
  const riskAccepted = resolution === 'WONTFIX' || issueStatus === 'ACCEPTED';
  const mitigated = !falsePositive && !riskAccepted && (resolution === 'FIXED' || resolution === 'REMOVED' || issueStatus === 'FIXED' || issue.status === 'CLOSED');
  return {
    ...common(projectKey, issue, components, rule),
    severity: issueSeverity(issue),
    uniqueIdFromTool: String(issue.key),
    vulnIdFromTool: issue.rule ?? null,
    vendorUrl: webUrl(ctx, 'project/issues', { id: projectKey, open: issue.key }),
    falsePositive,
    riskAccepted,
    verified: issueStatus === 'CONFIRMED' || issue.status === 'CONFIRMED',
    // a resolution set by someone in SonarQube (the search API does not say who or when)
    ...dismissal(falsePositive || riskAccepted, resolution ?? issueStatus),
    mitigated,
    mitigatedAt: mitigated ? parseSonarDate(issue.closeDate) ?? parseSonarDate(issue.updateDate) : null,
  };
}

const HOTSPOT_SEVERITY: Record<string, Severity> = { HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW' };

export function normalizeHotspot(ctx: KindContext, projectKey: string, item: unknown, components: Map<string, string>, rule: RuleDetails | null): NormalizedFinding {
  const hotspot = vendorObject(item, 'a SonarQube security hotspot');
  const resolution = hotspot.status === 'REVIEWED' ? hotspot.resolution as string | undefined : undefined;
  const mitigated = resolution === 'FIXED';
  return {
    ...common(projectKey, hotspot, components, rule),
    severity: HOTSPOT_SEVERITY[hotspot.vulnerabilityProbability] ?? 'LOW',
    // issue and hotspot keys come from one generator, but DefectDojo prefixes hotspots; so do we
    uniqueIdFromTool: `hotspot:${hotspot.key}`,
    vulnIdFromTool: hotspotRuleKey(hotspot) ?? null,
    vendorUrl: webUrl(ctx, 'security_hotspots', { id: projectKey, hotspots: hotspot.key }),
    falsePositive: resolution === 'SAFE',
    riskAccepted: resolution === 'EXCEPTION',
    verified: resolution === 'ACKNOWLEDGED',
    ...dismissal(resolution === 'SAFE' || resolution === 'EXCEPTION', resolution),
    mitigated,
    mitigatedAt: mitigated ? parseSonarDate(hotspot.updateDate) : null,
  };
}

export function hotspotRuleKey(hotspot: Record<string, any>): string | undefined {
  // `ruleKey` from 9.7; older servers nest it as `rule.key`
  return hotspot.ruleKey ?? hotspot.rule?.key;
}

function dismissal(dismissed: boolean, resolution: string | undefined): Pick<NormalizedFinding, 'dismissed' | 'dismissedReason'> {
  return dismissed ? { dismissed: true, dismissedReason: resolution ?? null } : { dismissed: false };
}

function common(projectKey: string, item: Record<string, any>, components: Map<string, string>, rule: RuleDetails | null) {
  const message = firstText(item.message, rule?.name) ?? 'SonarQube finding';
  return {
    title: message.length > TITLE_MAX ? message.slice(0, TITLE_MAX - 1) + '…' : message,
    description: rule ? `${rule.name}\n\n${rule.description}`.trim() : message,
    filePath: filePathOf(projectKey, String(item.component ?? ''), components),
    line: Number.isInteger(item.line) ? item.line : Number.isInteger(item.textRange?.startLine) ? item.textRange.startLine : null,
    endLine: Number.isInteger(item.textRange?.endLine) ? item.textRange.endLine : null,
    cwe: rule?.cwe ?? null,
    cwes: rule?.cwes ?? (rule?.cwe ? [rule.cwe] : []),
    toolName: 'SonarQube',
    vulnerabilityIds: [],
    staticFinding: true,
    dynamicFinding: false,
    date: parseSonarDate(item.creationDate),
  } satisfies Partial<NormalizedFinding>;
}

function filePathOf(projectKey: string, component: string, components: Map<string, string>): string | null {
  if (!component || component === projectKey) return null;
  return components.get(component) ?? (component.startsWith(`${projectKey}:`) ? component.slice(projectKey.length + 1) : component);
}

/** key → path of the page's `components[]` (file components carry their path) */
export function componentPaths(body: Record<string, any>): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of Array.isArray(body.components) ? body.components : []) if (c?.key && c.path) map.set(String(c.key), String(c.path));
  return map;
}

function webUrl(ctx: KindContext, path: string, query: Record<string, string>): string {
  const u = new URL(ctx.config.url.replace(/\/+$/, '') + '/' + path);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/li|\/h\d)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n')
    .trim();
}
