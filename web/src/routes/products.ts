// Products and what hangs under them: a product, an engagement, a test.
import type { RouteRecordRaw } from 'vue-router';

export const productRoutes: RouteRecordRaw[] = [
  { path: '/products', name: 'products', component: () => import('../pages/products/ProductsPage.vue'), meta: { title: 'Products' } },
  { path: '/products/:id', name: 'product', component: () => import('../pages/products/ProductPage.vue'), meta: { title: 'Product' } },
  { path: '/engagements/:id', name: 'engagement', component: () => import('../pages/engagements/EngagementPage.vue'), meta: { title: 'Engagement' } },
  { path: '/tests/:id', name: 'test', component: () => import('../pages/tests/TestPage.vue'), meta: { title: 'Test' } },
];
