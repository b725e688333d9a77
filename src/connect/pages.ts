/**
 * The small HTML pages a person sees at the end of a connect link: one self-contained page (no
 * script, no external resource), every interpolated text escaped. Pages say what happened and
 * what to do next; they never show a token, a code or a secret.
 */

/** What a page shows. */
export interface PageContent {
  title: string;
  tone: 'ok' | 'wait' | 'error';
  /** Paragraphs (plain text, escaped here). */
  lines: readonly string[];
  /** A command to show as code (plain text). */
  command?: string;
}

/** Headers every connect page is sent with: nothing cached, framed, sniffed or referred. */
export const pageHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

const colours = { ok: '#1a7f37', wait: '#9a6700', error: '#cf222e' } as const;
const marks = { ok: '&#10003;', wait: '&#8987;', error: '&#10007;' } as const;

/** The page's HTML. */
export function renderPage(content: PageContent): string {
  const lines = content.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n    ');
  const command = content.command ? `\n    <pre><code>${escapeHtml(content.command)}</code></pre>` : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(content.title)} · Halflife</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f8fa; color: #1f2328; }
    main { max-width: 34rem; margin: 12vh auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 2rem; }
    h1 { font-size: 1.4rem; margin: 0 0 1rem; color: ${colours[content.tone]}; }
    pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; overflow-x: auto; }
    footer { margin-top: 1.5rem; font-size: .85rem; color: #59636e; }
  </style>
</head>
<body>
  <main>
    <h1 data-result="${content.tone}">${marks[content.tone]} ${escapeHtml(content.title)}</h1>
    ${lines}${command}
    <footer>Halflife connect</footer>
  </main>
</body>
</html>
`;
}
