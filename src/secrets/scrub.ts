/**
 * The one scrubber for secrets whose values are known (a client secret, a refresh token): every
 * occurrence in a text is replaced by `[redacted]`, in the forms a secret takes in messages, URLs
 * and bodies. Imports nothing, so providers can use it without depending on the name list.
 */

/** What a scrubbed secret becomes in text. */
export const redactedText = '[redacted]';

/** Secrets shorter than this are not scrubbed from text (they would match ordinary words). */
export const minScrubLength = 6;

/** The forms a secret appears in: literal, URL-encoded (queries, form bodies) and JSON-escaped. */
function formsOf(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/**
 * `text` with every occurrence of each known secret (of at least `minScrubLength` characters)
 * replaced by `[redacted]`, in its literal, URL-encoded and JSON-escaped forms. Longer forms are
 * replaced first, so a secret that contains another is replaced whole.
 */
export function scrubKnownSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
  const forms = secrets.filter((s): s is string => typeof s === 'string' && s.length >= minScrubLength).flatMap(formsOf);
  const known = [...new Set(forms)].sort((a, b) => b.length - a.length);
  return known.reduce((out, secret) => out.split(secret).join(redactedText), text);
}
