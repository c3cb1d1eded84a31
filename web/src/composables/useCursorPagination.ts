import { computed, ref } from 'vue';

/** Forward-only Relay cursors, remembered so "Previous" can step back without a `before` argument. */
export function useCursorPagination() {
  const cursors = ref<Array<string | null>>([null]);
  const after = computed(() => cursors.value[cursors.value.length - 1] ?? null);
  const pageNumber = computed(() => cursors.value.length);

  function next(endCursor: string): void {
    cursors.value = [...cursors.value, endCursor];
  }
  function previous(): void {
    if (cursors.value.length > 1) cursors.value = cursors.value.slice(0, -1);
  }

  return { after, pageNumber, next, previous };
}
