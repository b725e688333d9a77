/**
 * `{name}` placeholders in preset URLs and parameters (`https://login.microsoftonline.com/{tenant}/...`).
 *
 * Pure string functions, shared by registration (which fills them from the credential) and the
 * tests (which fill them from each placeholder's example).
 */

import { presetUrlFields, type Preset, type PresetUrlField } from './preset';

const placeholderPattern = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g;

/** The placeholder names a template mentions, in order of first appearance, without repeats. */
export function placeholdersIn(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(placeholderPattern)) {
    const name = match[1] as string;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Thrown when a template mentions a placeholder that has no value. */
export class MissingPlaceholderError extends Error {
  override readonly name = 'MissingPlaceholderError';
  readonly code = 'missing_placeholder';
  constructor(readonly placeholder: string) {
    super(`placeholder {${placeholder}}: no value given`);
  }
}

/** Fills every placeholder of a template; throws `MissingPlaceholderError` naming the first one left without a value. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(placeholderPattern, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new MissingPlaceholderError(name);
    return value;
  });
}

/** Every URL of a preset with its placeholders filled; throws `MissingPlaceholderError` when a value is missing. */
export function fillPresetUrls(preset: Preset, values: Readonly<Record<string, string>>): Partial<Record<PresetUrlField, string>> {
  const urls: Partial<Record<PresetUrlField, string>> = {};
  for (const field of presetUrlFields) {
    const template = preset[field];
    if (template !== undefined) urls[field] = fillPlaceholders(template, values);
  }
  return urls;
}
