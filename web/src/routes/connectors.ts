// Connectors: the list with the available kinds, adding one, and one connector with its tabs
// (records, operations, settings) as nested children of its page.
import type { RouteRecordRaw } from 'vue-router';

export const connectorRoutes: RouteRecordRaw[] = [
  {
    // one parent, so the side navigation's Connectors entry stays marked on every connector page
    path: '/connectors',
    meta: { title: 'Connectors' },
    children: [
      { path: '', name: 'connectors', component: () => import('../pages/connectors/ConnectorsPage.vue'), meta: { title: 'Connectors' } },
      { path: 'new', name: 'connector-new', component: () => import('../pages/connectors/ConnectorNewPage.vue'), meta: { title: 'Add a connector' } },
      {
        path: ':id',
        name: 'connector',
        component: () => import('../pages/connectors/ConnectorPage.vue'),
        redirect: (to) => ({ name: 'connector-records', params: to.params }),
        meta: { title: 'Connector' },
        children: [
          { path: 'records', name: 'connector-records', component: () => import('../pages/connectors/ConnectorRecordsTab.vue'), meta: { title: 'Records' } },
          { path: 'operations', name: 'connector-operations', component: () => import('../pages/connectors/ConnectorOperationsTab.vue'), meta: { title: 'Operations' } },
          { path: 'settings', name: 'connector-settings', component: () => import('../pages/connectors/ConnectorSettingsTab.vue'), meta: { title: 'Connector settings' } },
        ],
      },
    ],
  },
];
