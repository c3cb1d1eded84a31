// The connector form generated from a kind's fields: controls, first values, and the input sent.
import { describe, expect, it } from 'vitest';
import { connectorInput, connectorUpdateInput, fieldControl, initialValues, kindFields, type ConnectorConfig, type ConnectorKind } from './connectorForm';

const sonarqube: ConnectorKind = {
  id: 'sonarqube', label: 'SonarQube', dedupeAlgorithm: 'unique_id_from_tool',
  fields: [
    { name: 'url', label: 'Server URL', type: 'url', required: true, secret: false, help: 'The server root' },
    { name: 'secret', label: 'User token', type: 'password', required: true, secret: true, help: 'A user token' },
    { name: 'organization', label: 'Organization', type: 'string', required: false, secret: false, help: null },
    { name: 'includeHotspots', label: 'Hotspots', type: 'boolean', required: false, secret: false, help: null },
  ],
};

const stored: ConnectorConfig = {
  id: 'Q29ubmVjdG9yOjE=', name: 'Sonar prod', kind: 'sonarqube', url: 'https://sonar.example.com', hasSecret: true,
  options: { organization: 'acme', includeHotspots: true }, autoMap: true, doNotReactivate: false, minimumSeverity: 'HIGH',
  discoverSchedule: null, syncSchedule: '*/30 * * * *', nextDiscoverAt: null, nextSyncAt: null, operationsRetained: 50, createdAt: '2026-01-01T00:00:00Z',
};

describe('fieldControl', () => {
  it('gives each field type its control and the path the server names in errors', () => {
    const [url, secret, organization, hotspots] = kindFields(sonarqube).map((field) => fieldControl(field, false));
    expect(url).toMatchObject({ inputType: 'url', errorPath: 'url', required: true, writeOnly: false, hint: 'The server root' });
    expect(secret).toMatchObject({ inputType: 'password', errorPath: 'secret', required: true, writeOnly: true, autocomplete: 'new-password' });
    expect(organization).toMatchObject({ inputType: 'text', errorPath: 'options.organization', required: false, hint: null });
    expect(hotspots).toMatchObject({ inputType: 'checkbox', errorPath: 'options.includeHotspots', required: false });
  });

  it('makes a stored secret optional and says an empty box keeps it', () => {
    const secret = fieldControl(sonarqube.fields![1]!, true);
    expect(secret.required).toBe(false);
    expect(secret.hint).toBe('A user token. A secret is stored — leave empty to keep it.');
  });

  it('skips fields without a name', () => {
    expect(kindFields({ ...sonarqube, fields: [{ name: null, label: 'x', type: 'string', required: false, secret: false, help: null }] })).toEqual([]);
    expect(kindFields(null)).toEqual([]);
  });
});

describe('initialValues', () => {
  it('starts a new connector with the server defaults: daily schedules, INFO, no auto-mapping', () => {
    expect(initialValues(sonarqube)).toEqual({
      kind: 'sonarqube', name: '', fields: { url: '', secret: '', organization: '', includeHotspots: false },
      discoverSchedule: '0 2 * * *', syncSchedule: '0 3 * * *', autoMap: false, doNotReactivate: false, minimumSeverity: 'INFO', operationsRetained: 200,
    });
  });

  it('shows a stored connector as stored, with the secret box empty and a null schedule as manual', () => {
    expect(initialValues(sonarqube, stored)).toEqual({
      kind: 'sonarqube', name: 'Sonar prod', fields: { url: 'https://sonar.example.com', secret: '', organization: 'acme', includeHotspots: true },
      discoverSchedule: '', syncSchedule: '*/30 * * * *', autoMap: true, doNotReactivate: false, minimumSeverity: 'HIGH', operationsRetained: 50,
    });
  });
});

describe('connectorInput', () => {
  it('puts url and secret in their columns and the rest in options, trimmed, empty optionals left out', () => {
    const values = initialValues(sonarqube);
    values.name = '  Sonar  ';
    values.fields = { url: ' http://127.0.0.1:9000 ', secret: ' tok en ', organization: '   ', includeHotspots: true };
    values.discoverSchedule = '';
    expect(connectorInput(sonarqube, values)).toEqual({
      kind: 'sonarqube', name: 'Sonar', url: 'http://127.0.0.1:9000', secret: ' tok en ', options: { includeHotspots: true },
      discoverSchedule: '', syncSchedule: '0 3 * * *', autoMap: false, doNotReactivate: false, minimumSeverity: 'INFO', operationsRetained: 200,
    });
  });

  it('leaves an empty secret out of an update, so the stored one is kept', () => {
    const input = connectorUpdateInput(stored.id, sonarqube, initialValues(sonarqube, stored));
    expect(input).not.toHaveProperty('secret');
    expect(input).not.toHaveProperty('kind');
    expect(input).toMatchObject({ id: stored.id, url: 'https://sonar.example.com', options: { organization: 'acme', includeHotspots: true }, discoverSchedule: '' });
  });
});
