/**
 * The presets are data: every one is listed, every URL is a real https URL once its placeholders
 * are filled with their examples, every number and error row is backed by a fact that mentions it,
 * every fact names an https source, and docs/presets.md embeds exactly the generated Markdown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DAY,
  fillPlaceholders,
  fillPresetUrls,
  formatDuration,
  HOUR,
  MINUTE,
  MissingPlaceholderError,
  MONTH,
  placeholdersIn,
  presetByName,
  presets,
  presetsMarkdown,
  presetsMarkdownEnd,
  presetsMarkdownStart,
  presetUrlFields,
  SECOND,
  YEAR,
  type Preset,
} from '../../../src/providers/presets';

const presetDir = path.join(__dirname, '../../../src/providers/presets');
const notPresets = new Set(['index.ts', 'markdown.ts', 'placeholders.ts', 'preset.ts']);

const isPreset = (value: unknown): value is Preset =>
  typeof value === 'object' && value !== null && 'name' in value && 'facts' in value && 'refreshTokens' in value;

const examples = (p: Preset): Record<string, string> => Object.fromEntries((p.placeholders ?? []).map((ph) => [ph.name, ph.example]));

const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const unitWords: [number, RegExp][] = [
  [YEAR, /year/i],
  [MONTH, /month/i],
  [DAY, /day/i],
  [HOUR, /hour/i],
  [MINUTE, /minute/i],
  [SECOND, /second/i],
];

/** True when the fact states `ms` in some unit: `24 hours`, `six months`, `2,592,000 seconds`, or raw seconds like `15811200`. */
function mentionsDuration(fact: string, ms: number): boolean {
  if (ms === 0) return /\bdisabled\b|\b0\b/i.test(fact);
  const seconds = ms / SECOND;
  if (Number.isInteger(seconds) && seconds >= 1000 && new RegExp(`\\b${seconds}\\b`).test(fact)) return true;
  return unitWords.some(([size, unit]) => {
    if (ms % size !== 0 || !unit.test(fact)) return false;
    const n = ms / size;
    const forms = [String(n), n.toLocaleString('en-US'), words[n]].filter((f): f is string => f !== undefined);
    return forms.some((f) => new RegExp(`(^|[^0-9a-z])${f}([^0-9a-z]|$)`, 'i').test(fact));
  });
}

/** Each numeric field, the words a fact about it must contain, and where to read it. */
const numericFields: { field: string; topic: RegExp; read: (p: Preset) => number | undefined }[] = [
  { field: 'accessTokenLifetimeMs', topic: /access/i, read: (p) => p.accessTokenLifetimeMs },
  { field: 'sameTokenWindowMs', topic: /same/i, read: (p) => p.sameTokenWindowMs },
  { field: 'refusesEarlyRefreshMs', topic: /early|still valid/i, read: (p) => p.refusesEarlyRefreshMs },
  { field: 'refreshTokens.reuseGraceMs', topic: /grace|leeway|reuse|retry/i, read: (p) => p.refreshTokens.reuseGraceMs },
  { field: 'refreshTokens.absoluteLifetimeMs', topic: /refresh/i, read: (p) => p.refreshTokens.absoluteLifetimeMs },
  { field: 'refreshTokens.idleLifetimeMs', topic: /unused|inactiv|idle|not been used|not used/i, read: (p) => p.refreshTokens.idleLifetimeMs },
];

describe('provider presets', () => {
  it('lists every preset file in the index, under its own file name', async () => {
    const files = readdirSync(presetDir).filter((f) => f.endsWith('.ts') && !notPresets.has(f));
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const file of files) {
      const module = (await import(path.join(presetDir, file))) as Record<string, unknown>;
      const exported = Object.values(module).filter(isPreset);
      expect(exported).toHaveLength(1);
      const preset = exported[0] as Preset;
      expect(presets).toContain(preset);
      expect(`${preset.name}.ts`).toBe(file);
    }
    expect(presets).toHaveLength(files.length);
  });

  it('has the presets issue 19 asks for', () => {
    const asked = ['trakt', 'pikpak', 'google', 'microsoft', 'okta', 'auth0', 'salesforce', 'hubspot', 'xero', 'github', 'dropbox', 'slack', 'zoom', 'spotify'];
    for (const name of asked) expect(presetByName(name)?.name).toBe(name);
    expect(presetByName('nope')).toBeUndefined();
  });

  it('gives every preset a unique lower-case name', () => {
    const names = presets.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it.each(presets.map((p) => [p.name, p] as const))('%s: every URL is https once its placeholders hold their examples', (_name, p) => {
    expect(p.tokenEndpoint ?? p.issuer).toBeDefined();
    const urls = fillPresetUrls(p, examples(p));
    for (const field of presetUrlFields) {
      if (p[field] === undefined) continue;
      const url = new URL(urls[field] as string);
      expect(url.protocol).toBe('https:');
      expect(url.href).not.toMatch(/[{}]/);
    }
  });

  it.each(presets.map((p) => [p.name, p] as const))('%s: every placeholder is declared, described and used', (_name, p) => {
    const templates = [...presetUrlFields.map((f) => p[f]), ...Object.values(p.authorizationParams ?? {}), ...Object.values(p.tokenParams ?? {})];
    const used = new Set(templates.flatMap((t) => (t === undefined ? [] : placeholdersIn(t))));
    const declared = (p.placeholders ?? []).map((ph) => ph.name);
    expect([...used].sort()).toEqual([...declared].sort());
    for (const ph of p.placeholders ?? []) {
      expect(ph.description.length).toBeGreaterThan(0);
      expect(ph.example).not.toMatch(/[{}]/);
    }
  });

  it.each(presets.map((p) => [p.name, p] as const))('%s: every number is backed by a fact that states it', (_name, p) => {
    for (const { field, topic, read } of numericFields) {
      const value = read(p);
      if (value === undefined) continue;
      expect(Number.isInteger(value) && value >= 0).toBe(true);
      const backing = p.facts.filter((f) => topic.test(f.fact) && mentionsDuration(f.fact, value));
      expect({ field, value, backed: backing.length > 0 }).toEqual({ field, value, backed: true });
    }
  });

  it.each(presets.filter((p) => p.expiresInMissing).map((p) => [p.name, p] as const))('%s: an answer without expires_in is backed by a fact', (_name, p) => {
    expect(p.facts.some((f) => /expires_in/.test(f.fact))).toBe(true);
  });

  it.each(presets.map((p) => [p.name, p] as const))('%s: every error row is backed by a fact that names it', (_name, p) => {
    for (const row of p.errors ?? []) {
      const m = /^([a-z_]+)([=~])(.+)$/.exec(row.match);
      expect(m).not.toBeNull();
      const keyword = (m as RegExpExecArray)[3] as string;
      const backed = p.facts.some((f) => f.fact.toLowerCase().includes(keyword.toLowerCase()));
      expect({ match: row.match, backed }).toEqual({ match: row.match, backed: true });
      expect(row.note.length).toBeGreaterThan(0);
    }
  });

  it.each(presets.map((p) => [p.name, p] as const))('%s: every fact has an https source', (_name, p) => {
    expect(p.facts.length).toBeGreaterThan(0);
    for (const f of p.facts) {
      expect(new URL(f.source).protocol).toBe('https:');
      expect(f.fact.trim().length).toBeGreaterThan(10);
    }
  });

  it('accepts a fact only when it states the same duration', () => {
    expect(mentionsDuration('the access token expires in 24 hours', 24 * HOUR)).toBe(true);
    expect(mentionsDuration('the access token expires in 24 hours', 12 * HOUR)).toBe(false);
    expect(mentionsDuration('unused for six months', 6 * MONTH)).toBe(true);
    expect(mentionsDuration('unused for six months', 7 * MONTH)).toBe(false);
    expect(mentionsDuration('default 2,592,000 seconds', 30 * DAY)).toBe(true);
    expect(mentionsDuration('"refresh_token_expires_in": "15811200"', 15_811_200 * SECOND)).toBe(true);
    expect(mentionsDuration('valid for 124 hours', 24 * HOUR)).toBe(false);
    expect(mentionsDuration('leeway is disabled by default', 0)).toBe(true);
  });

  it('fills placeholders and names the one that has no value', () => {
    expect(fillPlaceholders('https://{a}/x/{b}/{a}', { a: 'h.example', b: 'y' })).toBe('https://h.example/x/y/h.example');
    expect(placeholdersIn('https://{a}/{b}/{a}')).toEqual(['a', 'b']);
    expect(() => fillPlaceholders('https://{tenant}/t', {})).toThrow(MissingPlaceholderError);
    expect(() => fillPlaceholders('https://{tenant}/t', {})).toThrow('placeholder {tenant}: no value given');
  });

  it('formats durations in the largest exact unit', () => {
    expect(formatDuration(24 * HOUR)).toBe('1 d');
    expect(formatDuration(12 * HOUR)).toBe('12 h');
    expect(formatDuration(30 * MINUTE)).toBe('30 min');
    expect(formatDuration(15_811_200 * SECOND)).toBe('183 d');
    expect(formatDuration(15 * YEAR)).toBe('15 y');
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(1500)).toBe('1500 ms');
  });

  it('docs/presets.md embeds exactly the generated Markdown between its markers', () => {
    const doc = readFileSync(path.join(__dirname, '../../../docs/presets.md'), 'utf8');
    const start = doc.indexOf(presetsMarkdownStart);
    const end = doc.indexOf(presetsMarkdownEnd);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(doc.slice(start + presetsMarkdownStart.length, end)).toBe(`\n${presetsMarkdown()}`);
    for (const p of presets) expect(presetsMarkdown()).toContain(`| \`${p.name}\` |`);
  });
});
