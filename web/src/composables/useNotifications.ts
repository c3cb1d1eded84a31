// Notifications: the viewer's alerts (bell), settings per scope, system settings, webhooks, deliveries.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery, useSubscription } from '@urql/vue';
import {
  AlertAddedSubscription, AlertsQuery, CreateWebhookMutation, DeleteWebhookMutation, DeliveriesQuery, DeliveryChangedSubscription,
  MarkAlertsReadMutation, NotificationProductsQuery, NotificationSettingsQuery, ReplayDeliveriesMutation, SystemSettingsQuery, TestWebhookMutation, UpdateNotificationSettingsMutation,
  UpdateSystemSettingsMutation, UpdateWebhookMutation, WebhooksQuery,
} from '../graphql/notifications';
import type { VariablesOf } from '../graphql/tada';
import { errorMessage } from '../errorMessage';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type NotificationScope = VariablesOf<typeof NotificationSettingsQuery>['scope'];
export type DeliveryFilter = NonNullable<VariablesOf<typeof DeliveriesQuery>['filter']>;

/** the viewer's alerts, newest first, with the unread count the bell shows */
export function useAlerts(pageSize = 10) {
  const connection = useConnection({ query: AlertsQuery, connection: (data) => data.alerts, pageSize });
  return { ...connection, unreadCount: computed(() => connection.data.value?.alerts?.unreadCount ?? 0) };
}

/** new alerts land in the cached alert lists (and the unread count) as they happen */
export function useAlertEvents() {
  return useSubscription({ query: AlertAddedSubscription });
}

export const useMarkAlertsRead = () => useMutationAction(MarkAlertsReadMutation);

export function useNotificationSettings(scope: MaybeRefOrGetter<NotificationScope>, productId: MaybeRefOrGetter<string | null> = null) {
  const query = useQuery({ query: NotificationSettingsQuery, variables: () => ({ scope: toValue(scope), productId: toValue(productId) }) });
  return {
    settings: computed(() => query.data.value?.notificationSettings ?? null),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export const useUpdateNotificationSettings = () => useMutationAction(UpdateNotificationSettingsMutation, { success: 'Notification settings saved' });

export function useSystemSettings() {
  const query = useQuery({ query: SystemSettingsQuery });
  return {
    settings: computed(() => query.data.value?.systemSettings ?? null),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export const useUpdateSystemSettings = () => useMutationAction(UpdateSystemSettingsMutation, { success: 'System settings saved' });

export function useWebhooks(pageSize?: number) {
  return useConnection({ query: WebhooksQuery, connection: (data) => data.webhooks, pageSize });
}

export const useCreateWebhook = () => useMutationAction(CreateWebhookMutation, { success: 'Webhook created' });
export const useUpdateWebhook = () => useMutationAction(UpdateWebhookMutation, { success: 'Webhook saved' });
export const useDeleteWebhook = () => useMutationAction(DeleteWebhookMutation, { success: 'Webhook deleted' });
export const useTestWebhook = () => useMutationAction(TestWebhookMutation, { success: (data) => data.testWebhook?.message ?? null });

export function useDeliveries(filter: MaybeRefOrGetter<DeliveryFilter | null> = null, pageSize?: number) {
  return useConnection({ query: DeliveriesQuery, variables: () => ({ filter: toValue(filter) }), connection: (data) => data.deliveries, pageSize });
}

/** deliveries written or changing status land in (and move between) the cached delivery lists */
export function useDeliveryEvents() {
  return useSubscription({ query: DeliveryChangedSubscription });
}

/** products to choose from for PRODUCT-scope settings, by name; paused until that scope is picked */
export function useNotificationProducts(search: MaybeRefOrGetter<string>, pause: MaybeRefOrGetter<boolean>, pageSize = 50) {
  return useConnection({
    query: NotificationProductsQuery,
    variables: () => ({ search: toValue(search).trim() || null }),
    connection: (data) => data.products,
    pageSize,
    pause,
  });
}

export const useReplayDeliveries = () => useMutationAction(ReplayDeliveriesMutation, { success: (data) => `${data.replayDeliveries?.replayed ?? 0} deliveries queued again` });
