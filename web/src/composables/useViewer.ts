// The signed-in user, as the session resolved it (null on the public pages).
import { computed, readonly } from 'vue';
import { viewer } from '../session';

export function useViewer() {
  return {
    viewer: readonly(viewer),
    isSuperuser: computed(() => viewer.value?.isSuperuser === true),
    displayName: computed(() => viewer.value?.name || viewer.value?.email || ''),
  };
}
