// The API's enums, built from Prisma's (the database's) so the two cannot disagree.
import { DeliveryStatus, EngagementStatus, NotificationMethod, NotificationScope, WebhookStatus, OperationStatus, OperationTrigger, OperationType, ProductRole, RecordState, Severity } from '@tributary/db';
import { builder } from './builder.ts';

export const SeverityEnum = builder.enumType(Severity, { name: 'Severity' });
export const ProductRoleEnum = builder.enumType(ProductRole, { name: 'ProductRole' });
export const RecordStateEnum = builder.enumType(RecordState, { name: 'RecordState' });
export const OperationTypeEnum = builder.enumType(OperationType, { name: 'OperationType' });
export const OperationStatusEnum = builder.enumType(OperationStatus, { name: 'OperationStatus' });
export const OperationTriggerEnum = builder.enumType(OperationTrigger, { name: 'OperationTrigger' });
export const NotificationScopeEnum = builder.enumType(NotificationScope, { name: 'NotificationScope' });
export const NotificationMethodEnum = builder.enumType(NotificationMethod, { name: 'NotificationMethod' });
export const DeliveryStatusEnum = builder.enumType(DeliveryStatus, { name: 'DeliveryStatus' });
export const WebhookStatusEnum = builder.enumType(WebhookStatus, { name: 'WebhookStatus' });
export const EngagementStatusEnum = builder.enumType(EngagementStatus, { name: 'EngagementStatus' });
