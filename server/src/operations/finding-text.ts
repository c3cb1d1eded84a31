// The text hygiene every finding field goes through before it is hashed (dedupe.ts) or stored:
// PostgreSQL's `text` holds neither NUL nor invalid UTF-8, and each column has a length cap
// (reimport-prepare.ts LIMITS).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// one scan decides whether any cleaning is needed: nearly every value needs none
// eslint-disable-next-line no-control-regex
const TEXT_SUSPECT = /[\u0000\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const LINE_SUSPECT = /[\u0000-\u001f\u007f\uD800-\uDFFF]/;

/**
 * Text PostgreSQL will store: NUL removed (a `text` value cannot hold \u0000), lone UTF-16 surrogates
 * (what "invalid UTF-8" becomes once decoded into a JS string) replaced by U+FFFD, and at most `max`
 * characters, cut on a code-point boundary with a marker saying how much was dropped.
 */
export function sanitizeText(value: unknown, max: number): string {
  let s = typeof value === 'string' ? value : value == null ? '' : String(value);
  if (TEXT_SUSPECT.test(s)) s = s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
  if (s.length <= max) return s;
  const marker = `\n… [truncated: ${s.length - max} more characters]`;
  let cut = max - marker.length;
  if (/[\uD800-\uDBFF]/.test(s[cut - 1]!)) cut--;
  return s.slice(0, cut) + marker;
}

/** A one-line field: sanitized, control characters folded to spaces, trimmed; null when empty. */
export function sanitizeLine(value: unknown, max: number): string | null {
  if (value == null) return null;
  if (typeof value === 'string' && value !== '' && value.length <= max && !LINE_SUSPECT.test(value) && value.trim() === value) return value;
  // eslint-disable-next-line no-control-regex
  const s = sanitizeText(value, max).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s === '' ? null : s;
}
