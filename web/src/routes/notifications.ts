// Notifications: the settings matrix (everyone), and the system's channels, webhooks and the
// delivery log (superusers). One page each, under one heading with tabs (NotificationsTabs).
import type { RouteRecordRaw } from 'vue-router';

export const notificationRoutes: RouteRecordRaw[] = [
  {
    path: '/notifications',
    component: () => import('../pages/notifications/NotificationsLayout.vue'),
    children: [
      { path: '', name: 'notifications', component: () => import('../pages/notifications/NotificationSettingsPage.vue'), meta: { title: 'Notifications' } },
      { path: 'system', name: 'notifications-system', component: () => import('../pages/notifications/SystemSettingsPage.vue'), meta: { title: 'System settings', superuserOnly: true } },
      { path: 'webhooks', name: 'notifications-webhooks', component: () => import('../pages/notifications/WebhooksPage.vue'), meta: { title: 'Webhooks', superuserOnly: true } },
      { path: 'deliveries', name: 'notifications-deliveries', component: () => import('../pages/notifications/DeliveriesPage.vue'), meta: { title: 'Deliveries', superuserOnly: true } },
    ],
  },
];
