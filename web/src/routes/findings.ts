// Findings across products, and one finding.
import type { RouteRecordRaw } from 'vue-router';

export const findingRoutes: RouteRecordRaw[] = [
  { path: '/findings', name: 'findings', component: () => import('../pages/findings/FindingsPage.vue'), meta: { title: 'Findings' } },
  { path: '/findings/:id', name: 'finding', component: () => import('../pages/findings/FindingPage.vue'), meta: { title: 'Finding' } },
];
