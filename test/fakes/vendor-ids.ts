// Turning a test's free-form finding ids into the id shapes real tools use (alert numbers, UUIDs),
// deterministically, so the same FakeFinding keeps the same vendor id across fetches.
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID-shaped id: the given one when it already is a UUID, else derived from `seed`. */
export function uuidFor(seed: string): string {
  if (UUID.test(seed)) return seed.toLowerCase();
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Hands out per-scope sequence numbers: a numeric id keeps its number, any other id gets the next free one. */
export class Numbering {
  private readonly byId = new Map<string, number>();
  private readonly used = new Set<number>();

  numberFor(id: string): number {
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    let n = /^\d+$/.test(id) ? Number(id) : 1;
    if (!/^\d+$/.test(id)) while (this.used.has(n)) n++;
    this.byId.set(id, n);
    this.used.add(n);
    return n;
  }
}

/** Opaque-looking cursors that encode a list offset, as vendors' cursors do. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`cursor:v2:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | null): number | null {
  if (!cursor) return 0;
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}
