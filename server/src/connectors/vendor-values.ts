// Small values every vendor spells its own way (timestamps, CWE ids), read leniently.

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
