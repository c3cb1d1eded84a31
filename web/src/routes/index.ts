// The route table: one module per domain (each page loaded lazily, in its own chunk), and the
// guard that sends anonymous visitors to sign in and back. A domain adds its routes by adding its
// module to DOMAIN_ROUTES; the side navigation shows its entry once the route name exists
// (components/layout/LayoutSideNav.vue). A connector's tabs are children of its route, e.g.
// { path: '/connectors/:id', component: ConnectorPage, children: [{ path: 'records', … }, { path: 'operations', … }] }.
import './meta';
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router';
import { resolveViewer } from '../session';
import { sessionRoutes } from './session';
import { homeRoutes } from './home';
import { productRoutes } from './products';
import { findingRoutes } from './findings';
import { connectorRoutes } from './connectors';
import { notificationRoutes } from './notifications';
import { adminRoutes } from './admin';
import { errorRoutes } from './errors';

const DOMAIN_ROUTES: RouteRecordRaw[] = [...sessionRoutes, ...homeRoutes, ...connectorRoutes, ...productRoutes, ...findingRoutes, ...notificationRoutes, ...adminRoutes];

export const router = createRouter({
  history: createWebHistory(),
  routes: [...DOMAIN_ROUTES, ...errorRoutes],
});

/** only same-app paths: "//host" or "https://…" would make it an open redirect to another origin */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function loginLocation(from: RouteLocationNormalized) {
  return { name: 'login', query: from.fullPath === '/' || from.meta.public ? {} : { next: from.fullPath } };
}

router.beforeEach(async (to) => {
  const viewer = await resolveViewer();
  if (to.meta.public) return viewer ? safeNextPath(to.query.next) : true;
  if (!viewer) return loginLocation(to);
  if (to.meta.superuserOnly && !viewer.isSuperuser) return { name: 'forbidden', query: { from: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title} · Tributary`;
});
