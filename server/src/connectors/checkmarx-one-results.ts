// Checkmarx One `/api/results` entries (SAST, KICS/IaC, SCA, containers, secrets) → NormalizedFinding,
// following DefectDojo's checkmarx_one parser (parse_results / determine_state) and ast-cli's
// ScanResult model for the field names.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseCwe, parseDate } from './vendor-values.ts';

const SEVERITIES: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'INFO' };
const ENGINES: Record<string, string> = { sast: 'SAST', kics: 'KICS', sca: 'SCA', 'sca-container': 'SCA', containers: 'Container Security', 'sscs-secret-detection': 'Secret Detection' };
/** the results-viewer tab of each engine (ast-cli links `results/<scan>/<project>/sast/…`) */
const VIEWER_TABS: Record<string, string> = { sast: 'sast', kics: 'kics', sca: 'sca', 'sca-container': 'sca', containers: 'containers' };

export interface ScanInfo {
  projectId: string;
  scanId: string;
  branch: string | null;
  root: string;
}

const words = (s: unknown) => String(s ?? '').replace(/_/g, ' ').trim();

/** "Npm-lodash-4.17.15" / "Maven-org.yaml:snakeyaml-1.33" → name and version (the version is the part after the last dash that starts with a digit). */
function splitPackage(identifier: unknown): { name: string | null; version: string | null } {
  const id = String(identifier ?? '').trim();
  if (!id) return { name: null, version: null };
  const m = /^(?:[A-Za-z]+-)?(.+?)-(\d[^-]*(?:-[^-]+)*)$/.exec(id);
  return m ? { name: m[1]!, version: m[2]! } : { name: id, version: null };
}

/**
 * A result's identity. An SCA result's id is the vulnerability (CVE-…), shared by every package it
 * affects, so ast-cli keys SCA results by id and package; every other engine's id is unique.
 */
export function resultKey(r: any): string {
  const id = String(r?.id ?? r?.similarityId ?? '');
  const pkg = r?.data?.packageIdentifier;
  return id && String(r?.type ?? '').toLowerCase().startsWith('sca') && pkg ? `${id}:${pkg}` : id;
}

export function normalizeResult(r: any, scan: ScanInfo): NormalizedFinding {
  const type = String(r?.type ?? '').toLowerCase();
  const data = r?.data ?? {};
  const details = r?.vulnerabilityDetails ?? {};
  const nodes: any[] = Array.isArray(data.nodes) ? data.nodes : [];
  const state = String(r?.state ?? '').toUpperCase();
  const cwe = parseCwe(details.cweId);
  const cve = typeof details.cveName === 'string' && details.cveName ? details.cveName : typeof r?.cveId === 'string' ? r.cveId : null;
  const pkg = type.startsWith('sca') ? splitPackage(data.packageIdentifier) : { name: data.packageName ?? null, version: data.packageVersion ?? null };
  let title: string;
  let filePath: string | null = null;
  let line: number | null = null;
  let mitigation: string | null = null;
  if (type === 'sast') {
    title = words(data.queryName) || r?.description || 'SAST result';
    // DefectDojo's parser takes the first node: where the tainted data enters
    filePath = nodes[0]?.fileName ?? null;
    line = Number.isInteger(nodes[0]?.line) && nodes[0].line > 0 ? nodes[0].line : null;
  } else if (type === 'kics') {
    title = words(data.queryName) || r?.description || 'IaC result';
    filePath = data.filename ?? data.fileName ?? null;
    line = Number.isInteger(data.line) && data.line > 0 ? data.line : null;
    mitigation = [data.expectedValue && `Expected value: ${data.expectedValue}`, data.value && `Actual value: ${data.value}`].filter(Boolean).join('\n') || null;
  } else if (type.startsWith('sca') || type === 'containers') {
    title = [cve ?? r?.id, pkg.name && `in ${pkg.name}${pkg.version ? ` ${pkg.version}` : ''}`].filter(Boolean).join(' ') || 'SCA result';
  } else {
    title = words(data.ruleName ?? data.queryName) || r?.description || `${type || 'Checkmarx One'} result`;
    filePath = data.filename ?? data.fileName ?? null;
    line = Number.isInteger(data.line) && data.line > 0 ? data.line : null;
    mitigation = data.remediation ?? null;
  }
  const recommended = data.recommendedVersion;
  const notExploitable = state === 'NOT_EXPLOITABLE';
  const tab = VIEWER_TABS[type];
  return {
    title: String(title).slice(0, 500),
    severity: SEVERITIES[String(r?.severity ?? '').toUpperCase()] ?? 'INFO',
    description: r?.description || data.description || undefined,
    uniqueIdFromTool: resultKey(r) || null,
    vulnIdFromTool: data.queryId !== undefined && data.queryId !== null ? String(data.queryId) : data.ruleId ?? null,
    filePath,
    line,
    cwe,
    cwes: cwe ? [cwe] : [],
    vulnerabilityIds: cve ? [cve] : [],
    componentName: pkg.name,
    componentVersion: pkg.version,
    mitigation: mitigation ?? (typeof r?.recommendations === 'string' && r.recommendations ? r.recommendations : null),
    cvssScore: typeof details.cvssScore === 'number' && details.cvssScore > 0 ? details.cvssScore : null,
    fixVersion: typeof recommended === 'string' && recommended ? recommended : null,
    fixAvailable: typeof recommended === 'string' ? !!recommended : null,
    vendorUrl: tab ? `${scan.root}/results/${encodeURIComponent(scan.scanId)}/${encodeURIComponent(scan.projectId)}/${tab}` : null,
    toolName: `Checkmarx One ${ENGINES[type] ?? type.toUpperCase()}`.trim(),
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(r?.firstFoundAt) ?? parseDate(r?.foundAt),
    // DefectDojo's determine_state: confirmed and urgent are verified; not exploitable is a false
    // positive (inactive); proposed-not-exploitable stays open until someone confirms it
    verified: state === 'CONFIRMED' || state === 'URGENT',
    falsePositive: notExploitable,
    dismissed: notExploitable,
    dismissedReason: notExploitable ? (typeof r?.comments?.comments === 'string' && r.comments.comments ? `Not exploitable: ${r.comments.comments}` : 'Not exploitable') : null,
  };
}
