// Reads a SARIF 2.1.0 log as a stream of JSON tokens (stream-json) and hands its findings on page by
// page, so memory holds one page and a run's context, not the report. On the bench's 100k-result
// (34 MB) report the whole-file JSON.parse took 330 ms and peaked at 270 MB RSS; tokenizing and
// assembling one result at a time takes ~570 ms and stays near the process's ~100 MB baseline.
import { jsonParser } from 'stream-json/core/parser.js';
import Assembler from 'stream-json/core/assembler.js';
import { none } from 'stream-chain/defs.js';
import type { NormalizedFinding } from './kind.ts';
import { findingsOf, InvalidSarif, refersAhead, runContext, type Json, type RunContext } from './sarif-normalize.ts';

export { InvalidSarif } from './sarif-normalize.ts';

type Token = { name: string; value?: unknown };

// the run properties results are read against; every other one (graphs, threadFlowLocations,
// webRequests …) is skipped unassembled
const CONTEXT_KEYS = new Set(['tool', 'invocations', 'artifacts', 'taxonomies']);

/**
 * One run as it streams by. SARIF does not order a run's properties: results are normalized as
 * they arrive once `tool` (the rules) is known, and held (`held`) only when they arrive before it,
 * or from the first one that points by index into artifacts / taxonomies not declared yet, so the
 * report's order is kept. A run's date is fixed by the invocations seen before its first finding.
 */
interface RunState {
  index: number;
  run: Json;
  ctx: RunContext | null;
  held: unknown[] | null;
  heldFrom: number;
  results: number;
}

/** Yields each run's findings in pages of at most `pageSize` (a page never spans two runs). */
export async function* parseSarif(chunks: AsyncIterable<string>, fallbackDate: Date, pageSize: number): AsyncGenerator<NormalizedFinding[]> {
  const reader = new SarifReader(fallbackDate, pageSize);
  const tokenize = jsonParser({ packValues: true, streamValues: false });
  const feed = (text: string | typeof none) => {
    let tokens;
    try {
      tokens = tokenize(text as string);
    } catch (e) {
      throw new InvalidSarif(`not valid JSON (${(e as Error).message})`);
    }
    if (tokens !== none) for (const t of tokens.values) reader.token(t as Token);
  };
  for await (const text of chunks) {
    feed(text);
    yield* reader.takePages();
  }
  // a document cut short (or empty) throws here
  feed(none);
  yield* reader.takePages();
}

type Frame = 'top' | 'runs' | 'run' | 'results';

class SarifReader {
  private frames: Frame[] = [];
  private key: string | null = null;
  private version: unknown = undefined;
  private sawRuns = false;
  private runCount = 0;
  private current: RunState | null = null;
  // a value being assembled (the version, a run property, one result) and what receives it
  private asm: Assembler | null = null;
  private onValue: ((v: unknown) => void) | null = null;
  // depth inside a value being skipped
  private skipping = 0;
  private page: NormalizedFinding[] = [];
  private pages: NormalizedFinding[][] = [];

  constructor(private fallbackDate: Date, private pageSize: number) {}

  takePages(): NormalizedFinding[][] {
    const out = this.pages;
    this.pages = [];
    return out;
  }

  token(t: Token): void {
    if (this.asm) {
      this.asm.consume(t as never);
      if (this.asm.done) this.deliver(this.asm.current);
      return;
    }
    if (this.skipping > 0) {
      if (t.name === 'startObject' || t.name === 'startArray') this.skipping++;
      else if (t.name === 'endObject' || t.name === 'endArray') this.skipping--;
      return;
    }
    if (t.name === 'keyValue') {
      this.key = t.value as string;
      return;
    }
    if (t.name === 'endObject' || t.name === 'endArray') {
      this.close(this.frames.pop()!);
      return;
    }
    this.value(t);
  }

  /** A value starts where the current frame expects one. */
  private value(t: Token): void {
    const frame = this.frames[this.frames.length - 1];
    const opens = t.name === 'startObject' || t.name === 'startArray';
    if (frame === undefined) {
      if (t.name !== 'startObject') throw new InvalidSarif('the top level is not a JSON object');
      this.frames.push('top');
    } else if (frame === 'top' && this.key === 'version') {
      this.capture(t, (v) => {
        this.version = v;
        this.checkVersion();
      });
    } else if (frame === 'top' && this.key === 'runs') {
      if (t.name !== 'startArray') throw new InvalidSarif('"runs" is missing or not an array');
      this.sawRuns = true;
      this.frames.push('runs');
    } else if (frame === 'runs') {
      const index = this.runCount++;
      if (t.name !== 'startObject') throw new InvalidSarif(`runs[${index}].tool.driver is missing`);
      this.current = { index, run: {}, ctx: null, held: null, heldFrom: 0, results: 0 };
      this.frames.push('run');
    } else if (frame === 'run' && this.key === 'results') {
      if (t.name === 'nullValue') return;
      if (t.name !== 'startArray') throw new InvalidSarif(`runs[${this.current!.index}].results is not an array`);
      this.frames.push('results');
    } else if (frame === 'run' && CONTEXT_KEYS.has(this.key!)) {
      const run = this.current!.run;
      const key = this.key!;
      this.capture(t, (v) => { run[key] = v; });
    } else if (frame === 'results') {
      this.capture(t, (v) => this.result(v));
    } else if (opens) {
      this.skipping = 1;
    }
  }

  private capture(t: Token, onValue: (v: unknown) => void): void {
    const asm = new Assembler();
    asm.consume(t as never);
    if (asm.done) {
      onValue(asm.current);
      return;
    }
    this.asm = asm;
    this.onValue = onValue;
  }

  private deliver(v: unknown): void {
    const onValue = this.onValue!;
    this.asm = null;
    this.onValue = null;
    onValue(v);
  }

  private close(frame: Frame): void {
    if (frame === 'run') this.endRun(this.current!);
    if (frame !== 'top') return;
    this.checkVersion();
    if (!this.sawRuns) throw new InvalidSarif('"runs" is missing or not an array');
  }

  private checkVersion(): void {
    if (this.version !== '2.1.0') throw new InvalidSarif(`"version" is ${JSON.stringify(this.version ?? null)}, not "2.1.0"`);
  }

  private result(v: unknown): void {
    const s = this.current!;
    const i = s.results++;
    if (!s.held && s.ctx === null && s.run.tool !== undefined) s.ctx = runContext(s.run, s.index, this.fallbackDate);
    if (!s.held && (s.ctx === null || refersAhead(s.run, v))) {
      s.held = [];
      s.heldFrom = i;
    }
    if (s.held) s.held.push(v);
    else this.emit(findingsOf(s.ctx!, v, i));
  }

  private endRun(s: RunState): void {
    // the run is complete: whatever was held can be resolved now, and a run without a
    // tool.driver is refused here even when it has no results
    const ctx = s.ctx ?? runContext(s.run, s.index, this.fallbackDate);
    s.held?.forEach((v, k) => this.emit(findingsOf(ctx, v, s.heldFrom + k)));
    if (this.page.length > 0) this.pages.push(this.page);
    this.page = [];
    this.current = null;
  }

  private emit(found: NormalizedFinding[]): void {
    for (const f of found) {
      this.page.push(f);
      if (this.page.length === this.pageSize) {
        this.pages.push(this.page);
        this.page = [];
      }
    }
  }
}
