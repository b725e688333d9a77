/**
 * The findings block of RELIABILITY.md: every figure of the last full run that missed its target,
 * with what is known of its cause and where its evidence is. Empty findings say so.
 */
import type { SuiteResult } from './suite';

/** The findings of a full run, as Markdown. */
export function findingsMarkdown(result: SuiteResult): string {
  const { workerKills: k, providerOutage: p } = result.scenarios;
  const sum = result.summary;
  const out = ['## Findings of the last full run', ''];
  const misdated = Number(sum.misdated_tokens);
  if (misdated) {
    out.push(
      `- **Recovered answers are dated from their recovery** (${misdated} tokens, up to ${(Number(sum.misdated_by_ms_max) / 1000).toFixed(1)} s later than the provider's expiry).`,
      '  When an attempt finds an earlier attempt\'s answer (write-ahead log or heartbeat), `refreshCredential` passes `now: Date.now` to the',
      '  provider, which counts the lifetime from "now" instead of the saved answer\'s `sentAt`: a token recovered 10–20 s after it was',
      '  issued is believed to live 10–20 s longer, its refresh is scheduled that much too late, and it is served after the provider',
      '  expired it. Most "expired tokens served" beyond the rounding come from this.',
    );
  }
  if (k?.wedged) out.push(`- **Wedged workflows** (${k.wedges.map((w) => `${w.credentialId}: ${w.why}`).join('; ')}). Replay with \`npx tsx test/chaos/explain.ts ${k.evidence ?? '<evidence>'} <id> --replay\`: a nondeterminism error there is the workflow code's fault.`);
  if (k?.lost) out.push(`- **Lost after the worker had logged the answer** (${k.losses.filter((l) => l.cause !== 'in_flight').map((l) => `${l.credentialId} (${l.killClass} kill)`).join(', ')}): the next attempt did not use the write-ahead entry. Evidence: \`${k.evidence ?? ''}\` (histories, provider log, kills, the write-ahead log's commands).`);
  const codes = new Set([...(k?.readers.fiveXxExamples ?? [])].map((e) => e.code));
  if (codes.has('workflow_failing')) out.push('- **503 `workflow_failing` while no worker polls**: a query or update of a workflow whose worker was just killed is refused by the server with FAILED_PRECONDITION (no poller seen on its task queue), which the client reports as a failing workflow task rather than `no_worker`.');
  if (k && Number(sum.reader_errors)) out.push(`- **Reader errors other than a lost credential's** (${sum.reader_errors}; by code ${JSON.stringify(k.readers.byCode)} in scenario 1): reads of a credential whose token expired while its refresh was held up by kills fall through to a workflow query, which waits or fails while no worker is up.`);
  if (p && p.readers.expiredServed - p.readers.expiredServedInRounding > 0) out.push(`- **Expired tokens served in the provider outage beyond the rounding**: ${p.readers.expiredServed - p.readers.expiredServedInRounding}.`);
  if (out.length === 2) out.push('None: every figure met its target.');
  return out.join('\n');
}
