// hash_code must equal DefectDojo's byte for byte; the expected digests were computed with Python:
//   hashlib.sha256(fields.casefold().encode("utf-8").strip()).hexdigest()
import { describe, expect, it } from 'vitest';
import { casefold, computeHashCode, type HashInput } from '@tributary/server/operations/dedupe.ts';
import { sanitizeLine, sanitizeText } from '@tributary/server/operations/finding-text.ts';
import { normalizeSeverity } from '@tributary/server/severity.ts';
import { LIMITS, prepareFinding, UNTITLED } from '@tributary/server/operations/reimport-prepare.ts';

const base: HashInput = {
  title: 'Title', description: '', severity: 'HIGH', cwe: null, line: null, filePath: null, componentName: null,
  componentVersion: null, uniqueIdFromTool: null, vulnIdFromTool: null, mitigation: null, vulnerabilityIds: [], service: null,
};

describe('computeHashCode', () => {
  it('concatenates the configured fields without separators (DefectDojo legacy field list)', () => {
    const f = { ...base, title: 'SQL Injection', cwe: 89, line: 42, filePath: 'src/db.ts', description: 'User input reaches a query.\n' };
    expect(computeHashCode(f, ['title', 'cwe', 'line', 'file_path', 'description'])).toBe('08b28c692b5ded92b6a4a630ad3a789bd32c3534a7e6ca32a74aac6f2e1ecf0d');
    expect(computeHashCode(f, [])).toBe('08b28c692b5ded92b6a4a630ad3a789bd32c3534a7e6ca32a74aac6f2e1ecf0d');
  });

  it('writes unset fields as "None", de-duplicates and sorts vulnerability ids, and appends the service', () => {
    const f = { ...base, componentName: 'lodash', vulnerabilityIds: ['GHSA-x', 'CVE-2021-1', 'CVE-2021-1'], service: 'api' };
    expect(computeHashCode(f, ['component_name', 'component_version', 'vulnerability_ids'])).toBe('59181e5050780ef7237b7f76167da5b4322cb82c710e49b9468ac42329d338fb');
  });

  it('casefolds (ß → ss, ligatures) and strips ASCII whitespace at both ends', () => {
    expect(computeHashCode({ ...base, title: '  Straße  ' }, ['title'])).toBe('16d96952087774fee069b7585d3991b24d90c181c09b2129b4908c35baa7f0c0');
    expect(computeHashCode({ ...base, title: 'Über ﬁle' }, ['title'])).toBe('7ad30da25f7cb8564689fb4ae95dfc292db0ca803e1fe8d9f63215980fcb38c1');
    expect(casefold('STRAẞE ς')).toBe('strasse σ');
  });

  it('hashes our upper-case severity as DefectDojo hashes "High", and an unset cwe as its default 0', () => {
    expect(computeHashCode({ ...base, title: 'X' }, ['title', 'severity'])).toBe('b5255978be8e9dde05307a3582e45739606a7adcb33ea047b126ebd916ec67f7');
    expect(computeHashCode(base, ['title', 'cwe', 'line', 'file_path'])).toBe('c1d5b51b8b2da102eb55fc2de2f3e202a192d7a8fda87820f7fc73fab1c4e21c');
  });
});

describe('severity words', () => {
  it('maps the words tools use and refuses the rest', () => {
    const words = ['CRITICAL', 'Blocker', ' high ', 'error', 'moderate', 'MAJOR', 'warning', 'minor', 'note', 'Informational', 'unassigned', 'S4'];
    expect(words.map(normalizeSeverity)).toEqual(['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'INFO', 'INFO', 'INFO', 'INFO']);
    expect([normalizeSeverity('banana'), normalizeSeverity(''), normalizeSeverity(3), normalizeSeverity(null)]).toEqual([null, null, null, null]);
  });
});

describe('text hygiene', () => {
  it('removes NUL, replaces lone surrogates and keeps valid pairs', () => {
    expect(sanitizeText('a\u0000b\uD800c\uDC00d😀', 100)).toBe('ab\uFFFDc\uFFFDd😀');
  });

  it('truncates to the cap with a marker, never splitting a surrogate pair', () => {
    const long = 'x'.repeat(5 * 1024 * 1024);
    const cut = sanitizeText(long, LIMITS.longText);
    expect(cut).toHaveLength(LIMITS.longText);
    expect(cut.endsWith(`\n… [truncated: ${long.length - LIMITS.longText} more characters]`)).toBe(true);
    const emoji = sanitizeText('😀'.repeat(100), 60);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(emoji.length).toBeLessThanOrEqual(60);
  });

  it('folds control characters out of one-line fields and turns blank into null', () => {
    expect(sanitizeLine('  a\tb\r\nc\u0000  ', 100)).toBe('a b c');
    expect([sanitizeLine('   ', 10), sanitizeLine(undefined, 10), sanitizeLine(42, 10)]).toEqual([null, null, '42']);
  });
});

describe('prepareFinding', () => {
  const fields = ['title', 'file_path', 'line'] as const;

  it('derives a missing title from the vulnerability id, the description, or says it is untitled', () => {
    const title = (f: object) => { const p = prepareFinding({ severity: 'LOW', ...f }, [...fields]); return p.ok ? p.finding.title : p.reason; };
    expect(title({ vulnIdFromTool: 'CVE-2024-1', componentName: 'openssl' })).toBe('CVE-2024-1 in openssl');
    expect(title({ title: '  ', vulnerabilityIds: ['GHSA-abcd'] })).toBe('GHSA-abcd');
    expect(title({ description: '\n\n  First line here\nsecond' })).toBe('First line here');
    expect(title({})).toBe(UNTITLED);
  });

  it('coerces numbers and drops values PostgreSQL would refuse', () => {
    const p = prepareFinding({ title: 't', severity: 'low', line: '12', cwe: 'CWE-79', cvssScore: 42, epssScore: 0.5,
      date: 'not a date', vulnerabilityIds: 'CVE-1', mitigated: true, mitigatedAt: new Date('2026-02-01T00:00:00Z') }, [...fields]);
    expect(p.ok && [p.finding.severity, p.finding.line, p.finding.cwe, p.finding.cvssScore, p.finding.epssScore, p.finding.date, p.finding.vulnerabilityIds, p.finding.mitigatedAt])
      .toEqual(['LOW', 12, 79, null, 0.5, null, [], new Date('2026-02-01T00:00:00Z')]);
    expect(prepareFinding({ title: 't', severity: 'LOW', line: 2 ** 40 }, [...fields])).toMatchObject({ ok: true, finding: { line: null } });
  });

  it('rejects what is not a finding or has a severity nobody uses, saying why', () => {
    expect(prepareFinding(null, [...fields])).toEqual({ ok: false, reason: 'not a finding object' });
    expect(prepareFinding({ title: 't', severity: 'banana' }, [...fields])).toEqual({ ok: false, reason: 'unknown severity "banana"' });
  });
});
