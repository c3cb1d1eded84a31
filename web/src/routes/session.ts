// Signing in.
import type { RouteRecordRaw } from 'vue-router';

export const sessionRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('../pages/session/LoginPage.vue'), meta: { title: 'Sign in', public: true } },
];
