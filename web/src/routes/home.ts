// The landing page after sign-in.
import type { RouteRecordRaw } from 'vue-router';

export const homeRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('../pages/home/HomePage.vue'), meta: { title: 'Home' } },
];
