/**
 * Reads the flat XML the platforms send (`<xml><InfoType><![CDATA[…]]></InfoType>…</xml>`): the
 * text of one child element, as CDATA or as plain text with the five predefined entities. Nested
 * elements, attributes and anything else are not needed by the callbacks and not read.
 */

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of the first element `<name>` in `xml`, or undefined when there is none (or it is not text). */
export function xmlText(xml: string, name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`not an element name: ${name}`);
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1];
  return (match[2] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => entities[e] ?? '');
}
