// Checks a connector's url, secret and options against its kind's field list, naming the field and
// the problem ("options.organization: required by github"), before anything is written.
import type { Config } from '../config.ts';
import type { ConnectorKind } from './kind.ts';
import { confinePath } from './sarif-root.ts';
import { InputError } from '../util/input-error.ts';

/** Returns the options as stored: `path` fields normalized to an absolute directory under `config.sarifRoot`. */
export function validateConnectorConfig(kind: ConnectorKind, input: { url: string; secret: string | null; options: unknown }, config: Pick<Config, 'sarifRoot'>): Record<string, unknown> {
  if (input.options !== null && (typeof input.options !== 'object' || Array.isArray(input.options))) {
    throw new InputError('options', 'must be a JSON object');
  }
  const options = { ...(input.options as Record<string, unknown> | null) };
  const known = new Set(kind.fields.map((f) => f.name));
  for (const key of Object.keys(options)) {
    if (!known.has(key) || key === 'url' || key === 'secret') throw new InputError(`options.${key}`, `is not an option of ${kind.id} (options: ${kind.fields.filter((f) => f.name !== 'url' && f.name !== 'secret').map((f) => f.name).join(', ') || 'none'})`);
  }
  for (const field of kind.fields) {
    const path = field.name === 'url' || field.name === 'secret' ? field.name : `options.${field.name}`;
    const value = field.name === 'url' ? input.url : field.name === 'secret' ? input.secret : options[field.name];
    const empty = value === undefined || value === null || value === '';
    if (empty) {
      if (field.required) throw new InputError(path, `is required by ${kind.id}`);
      continue;
    }
    if (field.type === 'boolean') {
      if (typeof value !== 'boolean') throw new InputError(path, 'must be true or false');
      continue;
    }
    if (typeof value !== 'string') throw new InputError(path, 'must be a string');
    if (value.length > 2000) throw new InputError(path, 'must be at most 2000 characters');
    if (field.type === 'url') {
      let u: URL;
      try { u = new URL(value); } catch { throw new InputError(path, `"${value.slice(0, 200)}" is not a URL`); }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError(path, 'must be an http or https URL');
      if (u.username || u.password) throw new InputError(path, 'must not contain credentials: put the token in secret');
    }
    if (field.type === 'path') {
      const confined = confinePath(config.sarifRoot, value);
      if ('problem' in confined) throw new InputError(path, confined.problem);
      options[field.name] = confined.path;
    }
  }
  const problem = kind.validateOptions?.(options, input.url);
  if (problem) throw new InputError('options', problem);
  return options;
}
