// "You may not see this" and "not found". The catch-all must stay the last route of all.
import type { RouteRecordRaw } from 'vue-router';

export const errorRoutes: RouteRecordRaw[] = [
  { path: '/forbidden', name: 'forbidden', component: () => import('../pages/errors/ForbiddenPage.vue'), meta: { title: 'Not allowed' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../pages/errors/NotFoundPage.vue'), meta: { title: 'Not found' } },
];
