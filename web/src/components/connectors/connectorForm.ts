// The connector form is generated from its kind's `fields` (connectorKinds): which control each
// field gets, the values it starts with (an existing connector's, never its secret), and the
// create/update input it becomes. `url` and `secret` are the connector's own columns; any other
// field name is a key of `options`.
import type { ResultOf, VariablesOf } from '../../graphql/tada';
import type { ConnectorFields, ConnectorKindsQuery, CreateConnectorMutation, UpdateConnectorMutation } from '../../graphql/connectors';

export type ConnectorKind = NonNullable<ResultOf<typeof ConnectorKindsQuery>['connectorKinds']>[number];
export type KindField = NonNullable<ConnectorKind['fields']>[number];
export type ConnectorConfig = ResultOf<typeof ConnectorFields>;
export type CreateConnectorInput = VariablesOf<typeof CreateConnectorMutation>['input'];
export type UpdateConnectorInput = VariablesOf<typeof UpdateConnectorMutation>['input'];
export type Severity = NonNullable<CreateConnectorInput['minimumSeverity']>;

export const SEVERITIES: readonly Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** the server's defaults for a new connector (operations/connector-config.ts): daily, sync an hour after discover */
export const DEFAULT_SCHEDULES = { discoverSchedule: '0 2 * * *', syncSchedule: '0 3 * * *' } as const;

export interface ConnectorFormValues {
  kind: string;
  name: string;
  /** one value per kind field, by field name: text for string/url/path/password, a flag for boolean */
  fields: Record<string, string | boolean>;
  discoverSchedule: string;
  syncSchedule: string;
  autoMap: boolean;
  doNotReactivate: boolean;
  minimumSeverity: Severity;
  operationsRetained: number;
}

export interface FieldControl {
  /** the <input> type */
  inputType: 'text' | 'url' | 'password' | 'checkbox';
  autocomplete: string;
  /** the error path the server names for it: "url", "secret", "options.<name>" */
  errorPath: string;
  /** write-only: the stored value is never shown, and an empty box keeps it */
  writeOnly: boolean;
  /** required in the browser too (a stored secret makes an empty one acceptable) */
  required: boolean;
  hint: string | null;
}

const isColumn = (name: string | null | undefined) => name === 'url' || name === 'secret';

/** the kind's fields that have a name (the schema lets every field of a field be null) */
export function kindFields(kind: ConnectorKind | null | undefined): KindField[] {
  return (kind?.fields ?? []).filter((field) => !!field.name);
}

export function fieldControl(field: KindField, hasSecret: boolean): FieldControl {
  const name = field.name ?? '';
  const writeOnly = !!field.secret;
  const inputType = field.type === 'boolean' ? 'checkbox' : writeOnly || field.type === 'password' ? 'password' : field.type === 'url' ? 'url' : 'text';
  const keepsStored = writeOnly && hasSecret;
  const help = field.help?.trim() || null;
  const hints = [help && keepsStored && !/[.!?)]$/.test(help) ? `${help}.` : help, keepsStored ? 'A secret is stored — leave empty to keep it.' : null].filter(Boolean);
  return {
    inputType,
    // a token field must not be filled from the browser's saved sign-in password
    autocomplete: inputType === 'password' ? 'new-password' : 'off',
    errorPath: isColumn(name) ? name : `options.${name}`,
    writeOnly,
    required: !!field.required && field.type !== 'boolean' && !keepsStored,
    hint: hints.length > 0 ? hints.join(' ') : null,
  };
}

function optionsOf(connector: ConnectorConfig | null | undefined): Record<string, unknown> {
  const options = connector?.options;
  return options && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>) : {};
}

/** what the form shows first: a new connector of `kind`, or `connector` as stored (secret fields empty) */
export function initialValues(kind: ConnectorKind | null | undefined, connector?: ConnectorConfig | null): ConnectorFormValues {
  const options = optionsOf(connector);
  const fields: Record<string, string | boolean> = {};
  for (const field of kindFields(kind)) {
    const name = field.name!;
    if (field.type === 'boolean') fields[name] = options[name] === true;
    else if (field.secret) fields[name] = '';
    else if (name === 'url') fields[name] = connector?.url ?? '';
    else fields[name] = typeof options[name] === 'string' ? (options[name] as string) : '';
  }
  return {
    kind: kind?.id ?? connector?.kind ?? '',
    name: connector?.name ?? '',
    fields,
    discoverSchedule: connector ? connector.discoverSchedule ?? '' : DEFAULT_SCHEDULES.discoverSchedule,
    syncSchedule: connector ? connector.syncSchedule ?? '' : DEFAULT_SCHEDULES.syncSchedule,
    autoMap: connector?.autoMap ?? false,
    doNotReactivate: connector?.doNotReactivate ?? false,
    minimumSeverity: (connector?.minimumSeverity as Severity | null | undefined) ?? 'INFO',
    operationsRetained: connector?.operationsRetained ?? 200,
  };
}

/**
 * The values as the API takes them. Text is trimmed; an empty optional option is left out (the
 * server treats absent and empty alike); an empty secret is left out, so an update keeps the stored
 * one; an empty schedule is sent as "" (run only by hand).
 */
export function connectorInput(kind: ConnectorKind, values: ConnectorFormValues): CreateConnectorInput {
  const options: Record<string, string | boolean> = {};
  let url: string | null = null;
  let secret: string | null = null;
  for (const field of kindFields(kind)) {
    const name = field.name!;
    const raw = values.fields[name];
    if (field.type === 'boolean') {
      options[name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? (field.secret ? raw : raw.trim()) : '';
    if (name === 'url') url = text;
    else if (name === 'secret') secret = text || null;
    else if (text) options[name] = text;
  }
  return {
    kind: kind.id ?? values.kind,
    name: values.name.trim(),
    ...(url !== null ? { url } : {}),
    ...(secret ? { secret } : {}),
    options,
    discoverSchedule: values.discoverSchedule.trim(),
    syncSchedule: values.syncSchedule.trim(),
    autoMap: values.autoMap,
    doNotReactivate: values.doNotReactivate,
    minimumSeverity: values.minimumSeverity,
    operationsRetained: values.operationsRetained,
  };
}

/** an update: the same values, for connector `id` (its kind does not change) */
export function connectorUpdateInput(id: string, kind: ConnectorKind, values: ConnectorFormValues): UpdateConnectorInput {
  const { kind: _kind, ...rest } = connectorInput(kind, values);
  return { id, ...rest };
}
