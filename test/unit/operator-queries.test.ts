/**
 * The ready-made visibility queries: the README repeats four of docs/operations.md's, word for word
 * (the integration test runs the document's against a dev server), and their `$(date …)` instants
 * are computed as GNU date computes them.
 */
import path from 'node:path';
import { documentedQueries, instantiate } from '../helpers/operator-queries';

describe('the ready-made queries', () => {
  it('the README lists the essential ones exactly as docs/operations.md does', () => {
    const docs = new Map(documentedQueries().map((q) => [q.question, q.template]));
    const readme = documentedQueries(path.join(__dirname, '..', '..', 'README.md'));
    expect(readme.map((q) => q.question)).toEqual(['needs a person', 'failing for more than an hour', 'expiring within 10 minutes (or expired)', 'by provider']);
    for (const q of readme) expect({ question: q.question, template: docs.get(q.question) }).toEqual({ question: q.question, template: q.template });
  });

  it('instants are RFC 3339 in UTC, offset as written (or as shifted)', () => {
    const now = Date.parse('2026-12-01T10:00:30.250Z');
    expect(instantiate("HalflifeExpiresAt < '$(date -u -d '+10 min' +%FT%TZ)'", now)).toBe("HalflifeExpiresAt < '2026-12-01T10:10:30Z'");
    expect(instantiate("X < '$(date -u -d '-1 hour' +%FT%TZ)'", now)).toBe("X < '2026-12-01T09:00:30Z'");
    expect(instantiate("X < '$(date -u -d '-1 hour' +%FT%TZ)'", now, () => 0)).toBe("X < '2026-12-01T10:00:30Z'");
    expect(() => instantiate("X < '$(date -u -d '-1 fortnight' +%FT%TZ)'", now)).toThrow(/unknown date unit/);
  });
});
