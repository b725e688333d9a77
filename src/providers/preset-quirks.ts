/**
 * The quirks of a provider preset that the OAuth 2.0 exchange reads at every refresh (the preset
 * is named by the configuration's `preset`): errors answered with HTTP 200, the preset's error
 * rows and their classification. The rows refine the standard OAuth 2.0 rows: the first preset row
 * an error answer matches decides its kind and code, else the standard rows do.
 */
import type { Preset, PresetError } from './presets';

const rowPattern = /^([a-z_]+)([=~])(.+)$/;

/** A field of an answer as text (numbers and booleans written out), or undefined. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The first of `rows` that an error answer `body` matches (`field=value`, `field~text`, `body~text`), if any. */
export function presetErrorRow(rows: readonly PresetError[] | undefined, body: Record<string, unknown>): PresetError | undefined {
  for (const row of rows ?? []) {
    const [, field, op, expected] = rowPattern.exec(row.match) ?? [];
    if (field === undefined || expected === undefined) continue;
    const value = field === 'body' ? JSON.stringify(body) : textOf(body[field]);
    if (value !== undefined && (op === '=' ? value === expected : value.includes(expected))) return row;
  }
  return undefined;
}

/** The `ProviderError.code` of a preset row: the error for `error=` rows, `<field>_<value>` for other `=` rows, the text of `~` rows. */
export function presetErrorCode(row: PresetError): string {
  const [, field, op, expected] = rowPattern.exec(row.match) ?? [];
  const code = field === 'error' && op === '=' ? expected : op === '=' ? `${field}_${expected}` : expected?.toLowerCase();
  return (code ?? 'unknown_error').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
}

/** True when a 200 answer is an error answer by the preset's rule (`answers.errorsWithStatus200`). */
export function isErrorAnswerWith200(preset: Preset | undefined, body: unknown): body is Record<string, unknown> {
  const mode = preset?.answers?.errorsWithStatus200;
  if (mode === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const answer = body as Record<string, unknown>;
  if (mode === 'ok_false') return answer.ok === false;
  return typeof answer.error === 'string' && answer.error !== '' && answer.access_token === undefined;
}
