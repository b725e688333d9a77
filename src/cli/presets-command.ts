/**
 * `halflife presets [name]`: the provider presets as a table (name, token endpoint, rotation,
 * lifetimes), or one preset in full (placeholders, quirks, error rows, sources). Local data: no
 * connection to Temporal is needed. `--json` prints `GET /v1/presets`' shapes.
 */
import type { Command } from 'commander';
import { bodyPlaceholders, presetResponse } from '../api/preset-responses';
import { InvalidConfigError } from '../errors';
import { formatDuration, presetByName, presetNames, presets, type Preset } from '../providers/presets';
import { table, type Output } from './output';

const lifetime = (ms: number | undefined): string => (ms === undefined ? '-' : formatDuration(ms).replace(' ', ''));

/** The access and refresh token lifetimes of a preset, in a few characters. */
function lifetimes(p: Preset): [string, string] {
  const r = p.refreshTokens;
  const refresh = [r.absoluteLifetimeMs !== undefined ? `${lifetime(r.absoluteLifetimeMs)} absolute` : '', r.idleLifetimeMs !== undefined ? `${lifetime(r.idleLifetimeMs)} idle` : ''].filter(Boolean).join(', ');
  return [`${lifetime(p.accessTokenLifetimeMs)}${p.expiresInMissing ? ' (no expires_in)' : ''}`, refresh || '-'];
}

/** The table of every preset. */
export function presetTable(list: readonly Preset[] = presets): string[] {
  return table([
    ['NAME', 'TOKEN ENDPOINT', 'ROTATES', 'GRACE', 'ACCESS TOKEN', 'REFRESH TOKEN'],
    ...list.map((p) => [p.name, bodyPlaceholders(p.tokenEndpoint) ?? `(discovered from ${bodyPlaceholders(p.issuer) ?? '?'})`, p.refreshTokens.rotates, lifetime(p.refreshTokens.reuseGraceMs), ...lifetimes(p)]),
  ]);
}

/** One preset in full, as lines. */
export function presetLines(p: Preset): string[] {
  const shown = presetResponse(p);
  const rows: string[][] = [
    ['name', `${p.name} (${p.title}, provider ${p.provider})`],
    ...(shown.token_endpoint ? [['token endpoint', shown.token_endpoint]] : []),
    ...(shown.issuer ? [['issuer', shown.issuer]] : []),
    ...shown.placeholders.map((ph) => [ph.field, `${ph.description} (e.g. ${ph.example})`]),
    ['client auth', p.clientAuth],
    ['refresh tokens', `issued ${p.refreshTokens.issued}, rotates ${p.refreshTokens.rotates}${p.refreshTokens.reuseGraceMs !== undefined ? `, grace ${lifetime(p.refreshTokens.reuseGraceMs)}` : ''}`],
    ['lifetimes', `access ${lifetimes(p)[0]}, refresh ${lifetimes(p)[1]}`],
    ...(p.defaultScopes?.length ? [['scopes', p.defaultScopes.join(' ')]] : []),
    ...(p.quirks ?? []).map((q) => ['quirk', q]),
    ...(p.errors ?? []).map((e) => ['error', `${e.match} → ${e.kind}: ${e.note}`]),
    ...shown.sources.map((s) => ['source', s]),
  ];
  return table(rows);
}

/** Adds `presets` to `program`. */
export function addPresetsCommand(program: Command, output: () => Output): void {
  program
    .command('presets')
    .description('the provider presets a credential can be registered with ({"preset": "<name>", ...}; see docs/presets.md)')
    .argument('[name]', 'show one preset in full')
    .action((name: string | undefined) => {
      if (name === undefined) {
        output().result({ presets: presets.map(presetResponse) }, presetTable());
        return;
      }
      const preset = presetByName(name);
      if (!preset) throw new InvalidConfigError('preset', `must be one of ${presetNames.join(', ')}`);
      output().result(presetResponse(preset), presetLines(preset));
    });
}
