import { createRouter, createWebHistory } from 'vue-router';
import { resolveViewer } from './session';
import LoginPage from './pages/LoginPage.vue';
import DashboardPage from './pages/DashboardPage.vue';
import ProductsPage from './pages/ProductsPage.vue';

declare module 'vue-router' {
  interface RouteMeta { title: string; public?: boolean }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { title: 'Log in', public: true } },
    { path: '/', name: 'dashboard', component: DashboardPage, meta: { title: 'Dashboard' } },
    { path: '/products', name: 'products', component: ProductsPage, meta: { title: 'Products' } },
    { path: '/:unknown(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  const viewer = await resolveViewer();
  if (to.meta.public) return viewer ? { name: 'dashboard' } : true;
  if (viewer) return true;
  return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
});

router.afterEach((to) => {
  document.title = `${to.meta.title} · Tributary`;
});
