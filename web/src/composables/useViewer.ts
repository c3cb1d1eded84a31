import { readonly } from 'vue';
import { viewer } from '../session';

export function useViewer() {
  return { viewer: readonly(viewer) };
}
