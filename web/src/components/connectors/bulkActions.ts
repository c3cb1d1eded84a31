// A record action on a selection: the API has one mutation per record, so the action runs once for
// each, one after another (a selection is a page at most, and one at a time keeps the per-connector
// job queue and the server's error for each record in order), and the outcome is summed up with
// every record that failed and why.

export interface BulkOutcome<Item> {
  item: Item;
  ok: boolean;
  /** the server's message when it failed */
  error: string | null;
}

export interface BulkSummary {
  /** "Ignored 3 records." / "Ignored 2 of 3 records; 1 failed." */
  text: string;
  failures: Array<{ name: string; error: string }>;
  allFailed: boolean;
}

/** runs `action` for each item in order; an action that throws counts as a failure of that item */
export async function runForEach<Item>(items: readonly Item[], action: (item: Item) => Promise<string | null>): Promise<BulkOutcome<Item>[]> {
  const outcomes: BulkOutcome<Item>[] = [];
  for (const item of items) {
    try {
      const error = await action(item);
      outcomes.push({ item, ok: error === null, error });
    } catch (e) {
      outcomes.push({ item, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return outcomes;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `done` is the past tense of the action: "Ignored", "Mapped", "Deleted" */
export function summarizeBulk<Item>(done: string, outcomes: readonly BulkOutcome<Item>[], nameOf: (item: Item) => string, noun = 'record'): BulkSummary {
  const failures = outcomes.filter((o) => !o.ok).map((o) => ({ name: nameOf(o.item), error: o.error ?? 'failed' }));
  const succeeded = outcomes.length - failures.length;
  const total = outcomes.length;
  let text: string;
  if (failures.length === 0) text = `${done} ${plural(total, noun)}.`;
  else if (succeeded === 0) text = `${total === 1 ? `The ${noun}` : `All ${plural(total, noun)}`} failed.`;
  else text = `${done} ${succeeded} of ${plural(total, noun)}; ${failures.length} failed.`;
  return { text, failures, allFailed: total > 0 && succeeded === 0 };
}
