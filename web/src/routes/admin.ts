// Admin (superusers): users with their global and product roles, and the viewer's own API tokens.
import type { RouteRecordRaw } from 'vue-router';

export const adminRoutes: RouteRecordRaw[] = [
  {
    path: '/admin',
    component: () => import('../pages/admin/AdminLayout.vue'),
    children: [
      { path: '', name: 'admin', component: () => import('../pages/admin/UsersPage.vue'), meta: { title: 'Users', superuserOnly: true } },
      { path: 'tokens', name: 'admin-tokens', component: () => import('../pages/admin/ApiTokensPage.vue'), meta: { title: 'API tokens', superuserOnly: true } },
    ],
  },
];
