// What every fake tool offers the tests, whatever its wire protocol: the shared conformance tests
// and the discover/sync tests drive all six kinds through this one interface.
import type { Severity } from '@tributary/server/severity.ts';

export interface FakeVep {
  key: string;
  name: string;
}

/** A finding as the tests describe it; each fake renders it in its tool's own JSON. */
export interface FakeFinding {
  /** the tool's id for the finding (issue key, alert number, matrix …) */
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  filePath?: string;
  line?: number;
  cwe?: number;
  cve?: string;
  componentName?: string;
  componentVersion?: string;
  /** vendor-side status */
  state?: 'open' | 'false_positive' | 'risk_accepted' | 'fixed';
}

export interface FailSpec {
  status: number;
  body?: string;
  contentType?: string;
  retryAfter?: number;
  /** only requests whose path contains this fail (default: any request) */
  pathIncludes?: string;
  /**
   * send the status, headers and the first half of `body`, then nothing more while the connection
   * stays open: a stalled response body (the client's timeout must end it)
   */
  stall?: boolean;
}

export interface FakeTool {
  /** connector kind id */
  kind: string;
  /** connector `url` */
  url: string;
  /** the secret the fake accepts */
  token: string;
  /** connector `options` */
  options: Record<string, unknown>;
  /** the VEPs the tool lists, in order */
  setProjects(list: FakeVep[]): void;
  setFindings(vepKey: string, findings: FakeFinding[]): void;
  /** the next `times` matching requests answer with this instead */
  failNext(times: number, spec: FailSpec): void;
  /** the largest page the fake serves, whatever the client asks for (real caps: 100 or 500) */
  setPageSizeCap(n: number): void;
  /** every `next` pagination signal points back at the first page (a server bug we must survive) */
  setLoopingPagination(on: boolean): void;
  /**
   * every `next` link the fake writes points at this origin instead of its own (null: its own), for
   * the conformance test that a kind never follows a next link off its configured host. Only fakes
   * whose tool writes next links as URLs offer it.
   */
  setNextLinkOrigin?(origin: string | null): void;
  /**
   * the tool's real shape for project n's key, when it must be one (UUIDs, numeric ids): the
   * conformance suite asks for it, so a new kind's keys need no entry in test/support/kinds.ts
   */
  projectKey?(n: number): string;
  /**
   * the findings of one VEP come in one response whatever the page size (Dependency-Track's list,
   * Harbor's vulnerability report): the multi-page and later-page findings cases then page over
   * what the fake does paginate (repositories, artifacts …) or are covered by discover
   */
  findingsInOneResponse?: boolean;
  /** requests received (method, path with query, headers lower-cased) */
  readonly requests: Array<{ method: string; url: string; headers: Record<string, string> }>;
  close(): Promise<void>;
}
