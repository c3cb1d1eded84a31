// Products and what hangs under them.
import type { RouteRecordRaw } from 'vue-router';

export const productRoutes: RouteRecordRaw[] = [
  { path: '/products', name: 'products', component: () => import('../pages/products/ProductsPage.vue'), meta: { title: 'Products' } },
];
