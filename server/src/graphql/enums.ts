// The API's enums, built from Prisma's (the database's) so the two cannot disagree.
import { OperationStatus, OperationTrigger, OperationType, ProductRole, RecordState, Severity } from '@tributary/db';
import { builder } from './builder.ts';

export const SeverityEnum = builder.enumType(Severity, { name: 'Severity' });
export const ProductRoleEnum = builder.enumType(ProductRole, { name: 'ProductRole' });
export const RecordStateEnum = builder.enumType(RecordState, { name: 'RecordState' });
export const OperationTypeEnum = builder.enumType(OperationType, { name: 'OperationType' });
export const OperationStatusEnum = builder.enumType(OperationStatus, { name: 'OperationStatus' });
export const OperationTriggerEnum = builder.enumType(OperationTrigger, { name: 'OperationTrigger' });
