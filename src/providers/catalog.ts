/**
 * What `docs/providers.md` shows, derived from the provider modules: the overview, each provider's
 * configuration fields (API and TypeScript names), its classification table, and the lifetime
 * rules. The page marks each generated section (`<!-- fields:oauth2 -->` … `<!-- /fields:oauth2 -->`);
 * `renderProviderDocs` rewrites them and a unit test checks the page is up to date.
 */
import { z } from 'zod';
import type { ProviderName } from '../credential';
import { parentRules, type ClassificationRule, type ClassificationRow } from './classification';
import { snakeCase, type ConfigField } from './config-fields';
import { lifetimeMarkdown } from './lifetime';
import { getProvider, providerList } from './registry';

/** Every classification row of every provider, in documentation order. */
export const classificationRows: readonly ClassificationRow[] = providerList.flatMap((p) => p.classification.map((rule) => ({ provider: p.name, ...rule })));

/** The rows of one provider. */
export function rowsFor(provider: ProviderName): ClassificationRow[] {
  return classificationRows.filter((row) => row.provider === provider);
}

/** A Markdown table cell: pipes escaped. */
const cell = (text: string): string => text.replace(/(?<!\\)\|/g, '\\|');

/** The Markdown table of classification rows. */
function rowsMarkdown(rows: readonly ClassificationRule[]): string {
  const lines = ['| seen | kind | code | retry |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.match}\` | ${row.kind} | \`${row.code}\` | ${cell(row.retry)} |`);
  return lines.join('\n');
}

/** The Markdown table of one provider's rows, exactly as `docs/providers.md` embeds it. */
export function classificationMarkdown(provider: ProviderName): string {
  return rowsMarkdown(rowsFor(provider));
}

/** The default of a field as the docs show it. */
function defaultOf(f: ConfigField): string {
  if (f.docDefault !== undefined) return f.docDefault;
  if (f.requiredUnless !== undefined) return `required, unless \`${f.requiredUnless}\``;
  if (f.schema instanceof z.ZodDefault) return `\`${String(f.schema.def.defaultValue)}\``;
  return f.schema.safeParse(undefined).success ? 'none' : 'required';
}

/** The configuration table of one provider. */
export function fieldsMarkdown(provider: ProviderName): string {
  const lines = ['| API field | TypeScript field | type | default | meaning |', '|---|---|---|---|---|'];
  const parents = getProvider(provider).derivedFrom;
  // `parent` is a field of the registration, not of the configuration, but belongs to the table of what to give.
  if (parents) lines.push(`| \`parent\` | \`parent\` (of the registration) | credential id | required | the id of its ${parents.map((p) => `\`${p}\``).join(' or ')} credential, whose token it is obtained with |`);
  for (const [name, f] of Object.entries(getProvider(provider).fields)) {
    lines.push(`| \`${snakeCase(name)}\` | \`${name}\` | ${cell(f.type)} | ${cell(defaultOf(f))} | ${cell(f.doc)} |`);
  }
  return lines.join('\n');
}

/** The overview table of every provider. */
export function overviewMarkdown(): string {
  const lines = ['| provider | grant | refresh token | repeats the same token |', '|---|---|---|---|'];
  for (const p of providerList) lines.push(`| [\`${p.name}\`](#${p.name}) | ${cell(p.summary.grant)} | ${cell(p.summary.refreshToken)} | ${cell(p.summary.repeatsToken)} |`);
  return lines.join('\n');
}

/** Every generated section of the page: its marker name and its content. */
export function generatedSections(): Record<string, string> {
  const sections: Record<string, string> = { providers: overviewMarkdown(), lifetimes: lifetimeMarkdown(), 'classification:parent': rowsMarkdown(parentRules) };
  for (const p of providerList) {
    sections[`fields:${p.name}`] = fieldsMarkdown(p.name);
    sections[`classification:${p.name}`] = classificationMarkdown(p.name);
  }
  return sections;
}

/** `docs` with every generated section rewritten; a section whose markers are missing is an error. */
export function renderProviderDocs(docs: string): string {
  let out = docs;
  for (const [name, content] of Object.entries(generatedSections())) {
    const start = `<!-- ${name} -->`;
    const end = `<!-- /${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/providers.md has no section ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${content}\n${out.slice(to)}`;
  }
  return out;
}
