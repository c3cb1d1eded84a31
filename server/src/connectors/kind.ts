// The one interface every connector kind implements. A new tool is one file beside this one, a fake
// under test/fakes/, and one line in registry.ts.
import type { Severity } from '../severity.ts';
import type { GuardedHttp } from './http.ts';

/** An option a kind needs, described as data so the API can list it and the dashboard render a form. */
export interface KindField {
  /** `url` and `secret` are the connector's own columns; anything else lives in `options` */
  name: string;
  label: string;
  /** `path`: a directory on the server, confined to TRIBUTARY_SARIF_ROOT and stored absolute (validate.ts) */
  type: 'string' | 'url' | 'path' | 'password' | 'boolean';
  required: boolean;
  secret: boolean;
  help?: string;
}

/** A vendor-equivalent product: the tool's project / repository / directory. */
export interface Vep {
  /** the tool's stable key (project key, UUID, repo id): never the name */
  key: string;
  name: string;
  /** small, display-only facts (web URL, visibility, last analysis …) */
  metadata?: Record<string, unknown>;
}

/**
 * A finding as every kind hands it to the reimport engine. Every field but `title` and `severity` is
 * optional: leave out what the tool does not send rather than inventing a value (an empty field is
 * honest; a guessed one is read as the tool's word). Values are cleaned and length-capped by
 * operations/reimport-prepare.ts, so a kind passes them as the tool wrote them.
 */
export interface NormalizedFinding {
  title: string;
  severity: Severity;
  description?: string;
  uniqueIdFromTool?: string | null;
  vulnIdFromTool?: string | null;
  filePath?: string | null;
  line?: number | null;
  /** last line of the location (SARIF region.endLine, Sonar textRange.endLine …); null when one line */
  endLine?: number | null;
  /**
   * the finding's primary CWE: DefectDojo's `cwe`, the one hash_code uses. When left out, the first of
   * `cwes` is taken.
   */
  cwe?: number | null;
  /** every CWE the tool links, in the tool's order (`cwe` is kept as the first) */
  cwes?: number[];
  /** CVE, GHSA … ids: canonicalVulnerabilityId() in vendor-values.ts is applied to each by the engine */
  vulnerabilityIds?: string[];
  componentName?: string | null;
  componentVersion?: string | null;
  service?: string | null;
  mitigation?: string | null;
  references?: string | null;
  /** a link back to this finding in the tool's own UI (not an advisory page) */
  vendorUrl?: string | null;
  /** CVSS v3.x base score (0–10) and vector (`CVSS:3.1/AV:N/…`); DefectDojo's cvssv3_score / cvssv3 */
  cvssScore?: number | null;
  cvssVector?: string | null;
  /** CVSS v4.0 base score (0–10) and vector (`CVSS:4.0/AV:N/…`) */
  cvssV4Score?: number | null;
  cvssV4Vector?: string | null;
  /** EPSS probability (0–1) and percentile (0–1) */
  epssScore?: number | null;
  epssPercentile?: number | null;
  /** listed as known exploited (CISA KEV or the tool's own exploited-in-the-wild flag) */
  knownExploited?: boolean | null;
  fixAvailable?: boolean | null;
  /** the version (or versions, comma separated) that fixes it, as the tool states it */
  fixVersion?: string | null;
  /** the scanner that produced it (SARIF tool.driver.name, GitHub's tool.name …) and its version */
  toolName?: string | null;
  toolVersion?: string | null;
  /**
   * the tool's classification of the code the finding sits in, when it marks it as not production
   * code: `test`, `generated`, `library`, `documentation`, `vendored` (lower-case). A kind that sets
   * one also sets `outOfScope: true`.
   */
  codeClassification?: string | null;
  staticFinding?: boolean;
  dynamicFinding?: boolean;
  /** when the tool first saw it */
  date?: Date | null;
  // vendor-side status, carried over by reimport
  falsePositive?: boolean;
  riskAccepted?: boolean;
  outOfScope?: boolean;
  verified?: boolean;
  /** fixed / resolved on the vendor side */
  mitigated?: boolean;
  mitigatedAt?: Date | null;
  /**
   * a dismissal (suppression, won't fix, false positive …) made in the tool: who (the tool's login or
   * name), when, and why (the tool's reason and the analyst's comment, as text). `dismissed` is set
   * whenever the tool says the finding is dismissed, whichever flag above the reason maps to: a
   * dismissal whose reason maps to none of them (or that has no reason) still makes the finding
   * inactive, without claiming a false positive or a risk acceptance the tool did not state.
   */
  dismissed?: boolean;
  dismissedBy?: string | null;
  dismissedAt?: Date | null;
  dismissedReason?: string | null;
}

export type DedupeAlgorithm = 'unique_id_from_tool' | 'hash_code' | 'unique_id_from_tool_or_hash_code';

export type HashField =
  | 'title' | 'cwe' | 'vulnerability_ids' | 'line' | 'file_path' | 'component_name' | 'component_version'
  | 'description' | 'unique_id_from_tool' | 'severity' | 'vuln_id_from_tool' | 'mitigation';

export interface ConnectorConfig {
  url: string;
  /** decrypted token; never log it, never put it in an error (errors are redacted anyway) */
  secret: string | null;
  options: Record<string, unknown>;
}

export interface KindContext {
  config: ConnectorConfig;
  http: GuardedHttp;
  /**
   * TRIBUTARY_SARIF_ROOT: the only tree a kind may read from the server's disk. Such a kind re-checks
   * every directory and file against it when reading, since a symlink can change after validation.
   */
  sarifRoot: string;
  signal?: AbortSignal;
}

export interface ConnectorKind {
  id: string;
  label: string;
  /** fields beyond `name`, `autoMap`, schedules …: `url`, `secret` and the kind's options */
  fields: KindField[];
  /** how reimport matches findings of this kind (research/defectdojo.md §2b) */
  dedupe: { algorithm: DedupeAlgorithm; hashFields: HashField[] };
  /** checks options beyond required/type: returns a message naming the problem, or null */
  validateOptions?(options: Record<string, unknown>, url: string): string | null;
  /** one cheap authenticated call; throws ConnectorError with an actionable message */
  testConnection(ctx: KindContext): Promise<string>;
  /**
   * Every VEP the tool has. Yielding ends normally only when the listing was complete: any error
   * (HTTP, truncated page, looping `next` link) must throw, so discover changes no record state.
   */
  discover(ctx: KindContext): AsyncIterable<Vep>;
  /**
   * Every finding of one VEP, page by page (each yielded array is one page). Same completeness rule
   * as discover: throw rather than end early, because a complete fetch closes absent findings.
   */
  fetchFindings(ctx: KindContext, vep: Vep): AsyncIterable<NormalizedFinding[]>;
  /**
   * Optional: a cheap identity of what fetchFindings would read now, one that changes whenever that
   * could change (for a file: its path, inode, size, times and content hash), or null when it cannot
   * tell. A sync of an unchanged report onto unchanged findings is then recorded without reading it
   * (operations/report-unchanged.ts). A kind that cannot promise "same identity, same findings"
   * must not have it.
   */
  reportFingerprint?(ctx: KindContext, vep: Vep): Promise<string | null>;
}
