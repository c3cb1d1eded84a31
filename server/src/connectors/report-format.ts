// Which report a file in a sarif-directory VEP is, told by its content (not its name: `report.json`
// is what every CI pipeline calls all of them), and the reader for the formats that are not SARIF.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { ConnectorError } from './connector-error.ts';
import type { NormalizedFinding } from './kind.ts';
import { normalizeCycloneDx } from './cyclonedx-normalize.ts';
import { normalizeTrivy } from './trivy-normalize.ts';
import { normalizeGrype } from './grype-normalize.ts';

export type ReportFormat = 'sarif' | 'cyclonedx' | 'trivy' | 'grype';

/** SARIF logs go by their name, as before; any other `.json` file is a report only if its content says so */
export const SARIF_FILE = /\.sarif(\.json)?$/i;

// The non-SARIF readers parse the whole document: Trivy, Grype and CycloneDX reports of a large
// image run to ~30 MB (DefectDojo #14628 names a 30 MiB Trivy file), well within this cap.
const MAX_REPORT_BYTES = 256 * 1024 * 1024;
// the keys that tell the formats apart sit near the top in all four (Grype writes `matches` first)
const HEAD_BYTES = 64 * 1024;

/** Tells the format from the document's first 64 KB; null when it is none of the four. */
export function detectReportFormat(head: string): ReportFormat | null {
  const text = head.replace(/^\uFEFF/, '');
  if (!/^\s*\{/.test(text)) return null;
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) return 'cyclonedx';
  if (/"SchemaVersion"\s*:\s*\d/.test(text) && /"(ArtifactName|ArtifactType|Results)"\s*:/.test(text)) return 'trivy';
  if (/^\s*\{\s*"matches"\s*:/.test(text) || (/"matches"\s*:\s*\[/.test(text) && /"matchDetails"\s*:/.test(text))) return 'grype';
  if (/"runs"\s*:/.test(text) || /sarif/i.test(text.slice(0, 2000))) return 'sarif';
  return null;
}

/**
 * The names in a VEP directory that are reports: every .sarif / .sarif.json file, and each other
 * .json file whose content is a CycloneDX, Trivy or Grype report (a package.json or notes.json
 * lying beside them is not one, and is passed over as it always was).
 */
export async function reportNames(dir: string, names: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    if (SARIF_FILE.test(name)) out.push(name);
    else if (/\.json$/i.test(name)) {
      const format = await detectFileFormat(path.join(dir, name)).catch(() => null);
      if (format && format !== 'sarif') out.push(name);
    }
  }
  return out;
}

export async function detectFileFormat(file: string): Promise<ReportFormat | null> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return detectReportFormat(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** A CycloneDX, Trivy or Grype report's findings, in slices of `slice`; throws ConnectorError on an unreadable one. */
export async function* readOtherReport(file: string, format: Exclude<ReportFormat, 'sarif'>, fileDate: Date, slice: number): AsyncGenerator<NormalizedFinding[]> {
  const handle = await open(file, 'r');
  let text: string;
  try {
    const { size } = await handle.stat();
    if (size > MAX_REPORT_BYTES) throw new ConnectorError(`${file} is larger than ${MAX_REPORT_BYTES} bytes; split the report`);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConnectorError(`${file} is not a valid ${format} report: not valid JSON (${(e as Error).message})`);
  }
  const problem = (message: string): never => { throw new ConnectorError(`${file} is not a valid ${format} report: ${message}`); };
  const findings = format === 'cyclonedx' ? normalizeCycloneDx(doc, fileDate, problem)
    : format === 'trivy' ? normalizeTrivy(doc, fileDate, problem)
      : normalizeGrype(doc, fileDate, problem);
  for (let i = 0; i < findings.length; i += slice) yield findings.slice(i, i + slice);
}
