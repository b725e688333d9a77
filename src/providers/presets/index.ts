/**
 * Every provider preset, in one list: registration by `preset`, `GET /v1/presets`,
 * `halflife presets` and `docs/presets.md` all read it from here.
 */
import { auth0 } from './auth0';
import { dropbox } from './dropbox';
import { github } from './github';
import { google } from './google';
import { hubspot } from './hubspot';
import { renderPresetsMarkdown } from './markdown';
import { microsoft } from './microsoft';
import { okta } from './okta';
import { pikpak } from './pikpak';
import type { Preset } from './preset';
import { salesforce } from './salesforce';
import { slack } from './slack';
import { spotify } from './spotify';
import { trakt } from './trakt';
import { xero } from './xero';
import { zoom } from './zoom';

/** Every preset: the incident systems first (Trakt, PikPak), then by name. */
export const presets: readonly Preset[] = [trakt, pikpak, auth0, dropbox, github, google, hubspot, microsoft, okta, salesforce, slack, spotify, xero, zoom];

/** The preset names, the values registration accepts for `preset`. */
export const presetNames: readonly string[] = presets.map((p) => p.name);

/** The preset of that name, or undefined. */
export function presetByName(name: string): Preset | undefined {
  return presets.find((p) => p.name === name);
}

/** The generated Markdown of every preset (the block `docs/presets.md` embeds). */
export function presetsMarkdown(): string {
  return renderPresetsMarkdown(presets);
}

export { presetsMarkdownEnd, presetsMarkdownStart, formatDuration } from './markdown';
export { fillPlaceholders, fillPresetUrls, MissingPlaceholderError, placeholdersIn } from './placeholders';
export { DAY, HOUR, MINUTE, MONTH, SECOND, YEAR, presetUrlFields } from './preset';
export type { Preset, PresetError, PresetFact, PresetPlaceholder, PresetRefreshTokens, PresetUrlField } from './preset';
