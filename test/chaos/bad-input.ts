/**
 * Scenario 8: the bad-input corpus of the hostile-input issue (test/helpers/hostile-corpus.ts) sent
 * as raw HTTP/1.1 bytes to the running API process while workers are being killed. Counted: 5xx,
 * requests with no answer at all, answers other than the case's expected status, and any secret
 * (the corpus's own, the API keys) in an answer or in the API's output.
 */
import { randomBytes } from 'node:crypto';
import { buildCorpus } from '../helpers/hostile-corpus';
import { rawRequest } from '../helpers/raw-http';
import { findSecrets } from '../helpers/secrets-scan';
import { inPool } from './credentials';
import { percentiles, type Percentiles } from './figures';
import type { ChaosApi } from './api-process';
import type { ChaosClient } from './stack';

/** Figures of one pass over the corpus. */
export interface BadInputFigures {
  tried: number;
  /** 5xx answers, but for the ones below. */
  fiveXx: number;
  /**
   * 503 `upstream_failing` to a registration the API accepted: a corpus case whose body is in fact
   * valid (fields added by later issues, e.g. `metadata_fields: []`), whose made-up token endpoint
   * cannot be reached from here. Not a server error caused by bad input; listed so the corpus can
   * be corrected.
   */
  acceptedUpstreamFailing: number;
  acceptedUpstreamFailingCases: string[];
  /** Connections closed without a status line. */
  noAnswer: number;
  /** Answers whose status is not the one the case expects (first few listed). */
  unexpected: number;
  unexpectedExamples: string[];
  secretsFound: number;
  byStatus: Record<string, number>;
  latencyMs: Percentiles;
  elapsedMs: number;
}

/** Sends the corpus (`rounds` times) against `api`, `width` connections at a time; `existingId` is an oauth2 credential that exists. */
export async function sendCorpus(api: ChaosApi, existingId: string, options: { width?: number; rounds?: number } = {}): Promise<BadInputFigures> {
  const secrets = { clientSecret: `cs-${randomBytes(12).toString('hex')}`, refreshToken: `rt-${randomBytes(12).toString('hex')}`, appSecret: `as-${randomBytes(12).toString('hex')}` };
  const keys = api.keys;
  const started = Date.now();
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const unexpectedExamples: string[] = [];
  let tried = 0;
  let fiveXx = 0;
  const acceptedUpstreamFailingCases: string[] = [];
  let noAnswer = 0;
  let unexpected = 0;
  const haystacks: { name: string; text: string }[] = [];
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    const corpus = buildCorpus({ existingId, keys, secrets });
    await inPool(corpus, options.width ?? 8, async (c) => {
      const at = Date.now();
      // Longer than the API's own 30 s deadline: a request waiting for a killed worker gets its answer.
      const answer = await rawRequest(api.port, c.request, 45_000);
      latencies.push(Date.now() - at);
      tried += 1;
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      if (answer.status === 0) noAnswer += 1;
      const acceptedThenUpstream = answer.status === 503 && c.request.subarray(0, 4).toString('latin1') === 'PUT ' && /"code":"upstream_failing"/.test(answer.body);
      if (acceptedThenUpstream) acceptedUpstreamFailingCases.push(`[${c.group}] ${c.name.slice(0, 80)}`);
      else if (answer.status >= 500) fiveXx += 1;
      const expected = c.status === undefined ? undefined : [c.status].flat();
      if (!acceptedThenUpstream && (answer.status === 0 || answer.status >= 500 || (expected && !expected.includes(answer.status)))) {
        unexpected += 1;
        if (unexpectedExamples.length < 8) unexpectedExamples.push(`[${c.group}] ${c.name.slice(0, 80)}: ${answer.status} ${answer.body.slice(0, 120)}`);
      }
      haystacks.push({ name: `${c.group} ${c.name}`, text: answer.raw + answer.body });
    });
  }
  haystacks.push({ name: 'API output', text: api.output() });
  const secretMap = new Map<string, string>([
    ['client secret', secrets.clientSecret],
    ['refresh token', secrets.refreshToken],
    ['app secret', secrets.appSecret],
    ['admin key', keys.admin],
    ['scoped key', keys.scopedAdmin],
    ['read key', keys.read],
  ]);
  return { tried, fiveXx, acceptedUpstreamFailing: acceptedUpstreamFailingCases.length, acceptedUpstreamFailingCases, noAnswer, unexpected, unexpectedExamples, secretsFound: findSecrets(haystacks, secretMap).length, byStatus, latencyMs: percentiles(latencies), elapsedMs: Date.now() - started };
}

/**
 * Revokes what the corpus registered: a few of its bodies are valid (later issues added the fields
 * they carry), and their credentials would keep retrying a token endpoint no one answers.
 */
export async function revokeCorpusLeftovers(client: ChaosClient): Promise<number> {
  const leftovers = (await client.list().catch(() => [])).filter((c) => c.id.startsWith('billing-hostile-'));
  await inPool(leftovers, 8, (c) => client.revoke(c.id).catch(() => undefined));
  return leftovers.length;
}
