// Small values every vendor spells its own way (timestamps, CWE ids, lists, items), read leniently.
import { ConnectorError } from './connector-error.ts';

/** Vendor timestamps are ISO strings or absent; a malformed one is dropped rather than failing the page. */
export function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "CWE-79", "external/cwe/cwe-022", "89" → 79, 22, 89. */
export function parseCwe(value: unknown): number | null {
  const m = /(\d+)\s*$/.exec(String(value ?? ''));
  const n = m ? Number.parseInt(m[1]!, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * The one canonical form of a vulnerability id, whichever tool wrote it, so a CVE or an advisory
 * reported by two kinds is the same string: CVE ids upper-case (`CVE-2021-44228`, MITRE's form);
 * GHSA ids as GitHub writes them, the prefix upper-case and the three groups lower-case
 * (`GHSA-jfh8-c2jp-5v3q`); any other id (OSV's PYSEC-…, RUSTSEC-…, Snyk's ids …) trimmed, as written.
 * The reimport engine applies it to every id (reimport-prepare.ts); kinds need not.
 */
export function canonicalVulnerabilityId(id: string): string {
  const s = id.trim();
  const cve = /^cve-(\d{4})-(\d{4,})$/i.exec(s);
  if (cve) return `CVE-${cve[1]}-${cve[2]}`;
  const ghsa = /^ghsa-([0-9a-z]{4})-([0-9a-z]{4})-([0-9a-z]{4})$/i.exec(s);
  if (ghsa) return `GHSA-${ghsa[1]}-${ghsa[2]}-${ghsa[3]}`.replace(/-.*$/, (groups) => groups.toLowerCase());
  return s;
}

/** Every CVE id written anywhere in a text (a rule id, a name: `BDSA-2020-1001 (CVE-2020-11022)`), in order. */
export function cveIdsIn(text: unknown): string[] {
  const ids = String(text ?? '').match(/\bCVE-\d{4}-\d{4,}\b/gi) ?? [];
  return [...new Set(ids.map(canonicalVulnerabilityId))];
}

/**
 * One item of a vendor's list (a finding, an alert, an issue) as an object, or a ConnectorError
 * naming what it was: a `null` in a page is the tool's fault, not a crash of ours (fuzzed in
 * test/reliability/fuzz-normalizers.test.ts).
 */
export function vendorObject(value: unknown, what: string): Record<string, any> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, any>;
  throw new ConnectorError(`${what} is not a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`);
}

/** A field the tool documents as a list; anything else reads as an empty one. */
export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The first value that is a non-blank string: a title field the tool filled with `{}` or `true` is passed over. */
export function firstText(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.trim() !== '');
}
