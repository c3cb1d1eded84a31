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

/** A finding as every kind hands it to the reimport engine. */
export interface NormalizedFinding {
  title: string;
  severity: Severity;
  description?: string;
  uniqueIdFromTool?: string | null;
  vulnIdFromTool?: string | null;
  filePath?: string | null;
  line?: number | null;
  cwe?: number | null;
  vulnerabilityIds?: string[];
  componentName?: string | null;
  componentVersion?: string | null;
  service?: string | null;
  mitigation?: string | null;
  references?: string | null;
  vendorUrl?: string | null;
  cvssScore?: number | null;
  cvssVector?: string | null;
  epssScore?: number | null;
  fixAvailable?: boolean | null;
  fixVersion?: string | null;
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
}
