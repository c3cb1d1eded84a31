// The edge of every connector kind: whatever a tool sends, discover and fetchFindings end in their
// items or in a ConnectorError. A payload shaped in a way no normalizer foresaw (a null where an
// object was, a number where a list was) would otherwise surface as a TypeError with no tool named;
// fuzzing every kind with mutated answers of its fake found such crashes in most of them
// (test/reliability/fuzz-normalizers.test.ts). The specific ones are fixed where they were; this is
// the rule that holds for the next one.
import { ConnectorError } from './connector-error.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';

export function guardedKind(kind: ConnectorKind): ConnectorKind {
  return {
    ...kind,
    async *discover(ctx: KindContext): AsyncIterable<Vep> {
      try {
        for await (const vep of kind.discover(ctx)) {
          // a VEP is known by its key alone: one without a usable key cannot be recorded or found again
          if (typeof vep?.key !== 'string' || vep.key === '') throw new ConnectorError(`${kind.label} listed a project without a usable key (${JSON.stringify(vep?.key ?? null)}); the listing is not complete`);
          yield { ...vep, name: typeof vep.name === 'string' && vep.name !== '' ? vep.name : vep.key };
        }
      } catch (e) {
        throw unreadable(kind, e, ctx);
      }
    },
    async *fetchFindings(ctx: KindContext, vep: Vep): AsyncIterable<NormalizedFinding[]> {
      try {
        yield* kind.fetchFindings(ctx, vep);
      } catch (e) {
        throw unreadable(kind, e, ctx);
      }
    },
  };
}

/** A ConnectorError or a cancellation as it is; anything else named as the tool's unreadable answer. */
function unreadable(kind: ConnectorKind, e: unknown, ctx: KindContext): unknown {
  if (e instanceof ConnectorError || ctx.signal?.aborted) return e;
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new ConnectorError(ctx.http.redact(`${kind.label} sent an answer Tributary could not read (${detail.slice(0, 300)}); nothing was changed`));
}
