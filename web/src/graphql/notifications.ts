// Notifications: the viewer's alerts (the bell), settings per scope, system settings, webhooks, deliveries.
import { graphql } from './tada';

export const AlertFields = graphql(`
  fragment AlertFields on Alert { id title description url event createdAt readAt }
`);

export const AlertsQuery = graphql(`
  query Alerts($first: Int!, $after: String) {
    alerts(first: $first, after: $after) {
      totalCount
      unreadCount
      pageInfo { hasNextPage endCursor }
      nodes { ...AlertFields }
    }
  }
`, [AlertFields]);

/** the viewer's new alerts; the cache puts each at the top of the alert lists and counts it unread */
export const AlertAddedSubscription = graphql(`
  subscription AlertAdded { alertAdded { ...AlertFields } }
`, [AlertFields]);

export const MarkAlertsReadMutation = graphql(`
  mutation MarkAlertsRead($input: MarkAlertsReadInput!) { markAlertsRead(input: $input) { unreadCount } }
`);

export const NotificationSettingsFields = graphql(`
  fragment NotificationSettingsFields on NotificationSettings {
    scope
    product { id name }
    events { event methods minimumSeverity }
    digests { method frequency }
  }
`);

export const NotificationSettingsQuery = graphql(`
  query NotificationSettings($scope: NotificationScope!, $productId: ID) {
    notificationSettings(scope: $scope, productId: $productId) { ...NotificationSettingsFields }
  }
`, [NotificationSettingsFields]);

export const UpdateNotificationSettingsMutation = graphql(`
  mutation UpdateNotificationSettings($input: UpdateNotificationSettingsInput!) {
    updateNotificationSettings(input: $input) { settings { ...NotificationSettingsFields } }
  }
`, [NotificationSettingsFields]);

export const SystemSettingsFields = graphql(`
  fragment SystemSettingsFields on SystemSettings {
    mailTo enableMail
    slackChannel hasSlackToken enableSlack
    hasMsteamsUrl enableMsteams
    enableWebhooks
    slaCriticalDays slaHighDays slaMediumDays slaLowDays
    engagementAutoClose engagementAutoCloseDays
  }
`);

export const SystemSettingsQuery = graphql(`
  query SystemSettings { systemSettings { ...SystemSettingsFields } }
`, [SystemSettingsFields]);

export const UpdateSystemSettingsMutation = graphql(`
  mutation UpdateSystemSettings($input: UpdateSystemSettingsInput!) {
    updateSystemSettings(input: $input) { settings { ...SystemSettingsFields } }
  }
`, [SystemSettingsFields]);

export const WebhookFields = graphql(`
  fragment WebhookFields on Webhook {
    id name url status headerName hasHeaderValue note firstErrorAt lastErrorAt createdAt
  }
`);

export const WebhooksQuery = graphql(`
  query Webhooks($first: Int!, $after: String) {
    webhooks(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...WebhookFields }
    }
  }
`, [WebhookFields]);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) { webhook { ...WebhookFields } }
  }
`, [WebhookFields]);

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) { webhook { ...WebhookFields } }
  }
`, [WebhookFields]);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { deletedId } }
`);

export const TestWebhookMutation = graphql(`
  mutation TestWebhook($input: TestWebhookInput!) { testWebhook(input: $input) { ok message } }
`);

export const DeliveryFields = graphql(`
  fragment DeliveryFields on Delivery { id event method status attempts lastError createdAt sentAt nextAttemptAt user { id name email } }
`);

export const DeliveriesQuery = graphql(`
  query Deliveries($first: Int!, $after: String, $filter: DeliveryFilter) {
    deliveries(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...DeliveryFields }
    }
  }
`, [DeliveryFields]);

/** superusers: every delivery written or changing status; the cache moves it between the filtered lists */
export const DeliveryChangedSubscription = graphql(`
  subscription DeliveryChanged { deliveryChanged { ...DeliveryFields } }
`, [DeliveryFields]);

export const ReplayDeliveriesMutation = graphql(`
  mutation ReplayDeliveries($input: ReplayDeliveriesInput!) { replayDeliveries(input: $input) { replayed } }
`);

/** the products a viewer may pick for PRODUCT-scope settings */
export const NotificationProductsQuery = graphql(`
  query NotificationProducts($first: Int!, $after: String, $search: String) {
    products(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name }
    }
  }
`);
