/**
 * Readers: one consumer per credential reading its token through the HTTP API
 * (`GET /v1/credentials/{id}/token`) over and over, as services do. Every read is kept (instant,
 * status, error code, version, token), every token handed out is checked at its provider
 * (TokenAudit), and the figures are computed over any window of the run: answers by status and
 * code, latency, expired tokens served (by Halflife's expiry and by the provider's), tokens the
 * provider no longer accepted, and 5xx answered while a valid token existed.
 */
import { Agent, fetch } from 'undici';
import type { OidcPeer } from '../peers/oidc-peer';
import { percentiles, type Percentiles } from './figures';
import type { TokenAudit } from './token-audit';

/** One read. */
export interface Read {
  id: string;
  /** Request sent / answer complete (epoch ms). */
  sentAt: number;
  doneAt: number;
  /** HTTP status; 0 = no answer (connection error or the reader's deadline). */
  status: number;
  code?: string;
  /** The error message of a 5xx answer. */
  message?: string;
  version?: number;
  /** Index into the readers' token table. */
  token?: number;
  /** Halflife's `expires_at` of the token served. */
  expiresAt?: number;
}

/** Figures of the reads in a window. */
export interface ReadFigures {
  reads: number;
  /** Answers other than 200, but for the excused ones. */
  errors: number;
  /** Error answers excused as the consequence of an accepted loss (a credential lost in flight, until it was reauthorized), by code. */
  excused: number;
  excusedByCode: Record<string, number>;
  byStatus: Record<string, number>;
  /** Error answers by `error.code`. */
  byCode: Record<string, number>;
  fiveXx: number;
  /** One example per 5xx code: credential, code, message. */
  fiveXxExamples: { id: string; code?: string; message?: string; at: string }[];
  /** 5xx while the credential's last token served was still unexpired and accepted by its provider: a valid token existed and was not handed out. */
  fiveXxWithValidToken: number;
  /** 200 with a token past its expiry when the read was sent (Halflife's `expires_at` or the provider's own). */
  expiredServed: number;
  /** Of those, past Halflife's own `expires_at` (the rest only by the provider's clock). */
  expiredServedByHalflifeClock: number;
  /**
   * Of those, expired only by the provider's clock, inside the second that `expires_in` (whole
   * seconds) hides: the provider's expiry less than 1 s before Halflife's (see RELIABILITY.md's risks).
   */
  expiredServedInRounding: number;
  /**
   * Distinct tokens served whose Halflife expiry is more than 1 s after the provider's own (beyond
   * what `expires_in` rounding explains): Halflife believes they live longer than they do, and
   * serves them past their real expiry whenever their refresh is late. The largest overshoot (ms).
   */
  misdatedTokens: number;
  misdatedByMsMax: number;
  /** The first few, with both expiries and how late the read was (ms after the earlier expiry). */
  expiredServedExamples: { id: string; version?: number; lateByMs: number; halflifeExpiresAt?: string; providerExpiresAt?: string; inRounding: boolean }[];
  /** 200 with a token the provider refused when first seen although not expired (its grant was revoked). */
  refusedServed: number;
  latencyMs: Percentiles;
}

/** Options of `Readers`. */
export interface ReadersOptions {
  /** Pause between two reads of one reader. @default 1000 */
  intervalMs?: number;
  /** A read gives up after this long (status 0): longer than the API's own 30 s deadline, so the API's answer is seen. @default 35000 */
  deadlineMs?: number;
}

/** The readers of a scenario. */
export class Readers {
  readonly reads: Read[] = [];
  private readonly tokens: string[] = [];
  private readonly last = new Map<string, Read>();
  private readonly tokenIndex = new Map<string, number>();
  private readonly loops = new Map<string, { stop: boolean; done: Promise<void> }>();
  private readonly peers = new Map<string, OidcPeer>();
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  private readonly intervalMs: number;
  private closed = false;
  private readonly deadlineMs: number;

  constructor(private readonly api: { url: string; key: string }, private readonly audit: TokenAudit, options: ReadersOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.deadlineMs = options.deadlineMs ?? 35_000;
  }

  /** Starts a reader on credential `id`, whose tokens come from `peer`. */
  add(id: string, peer: OidcPeer): void {
    if (this.loops.has(id)) return;
    this.peers.set(id, peer);
    const state = { stop: false, done: Promise.resolve() };
    // Readers start spread over one interval, as independent consumers would.
    const offset = Math.random() * this.intervalMs;
    state.done = (async () => {
      await new Promise((resolve) => setTimeout(resolve, offset));
      while (!state.stop) {
        const started = Date.now();
        const read = await this.readOnce(id);
        this.reads.push(read);
        this.last.set(id, read);
        const rest = this.intervalMs - (Date.now() - started);
        if (rest > 0 && !state.stop) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    })();
    this.loops.set(id, state);
  }

  /** Stops the reader of `id` (waits for its last read). */
  async remove(id: string): Promise<void> {
    const state = this.loops.get(id);
    if (!state) return;
    state.stop = true;
    await state.done;
    this.loops.delete(id);
  }

  /** Stops every reader and waits for the token checks (idempotent). */
  async stop(): Promise<void> {
    await Promise.all([...this.loops.keys()].map((id) => this.remove(id)));
    await this.audit.settled();
    if (!this.closed) await this.agent.close();
    this.closed = true;
  }

  private async readOnce(id: string): Promise<Read> {
    const sentAt = Date.now();
    try {
      const response = await fetch(`${this.api.url}/v1/credentials/${encodeURIComponent(id)}/token`, {
        headers: { authorization: `Bearer ${this.api.key}` },
        signal: AbortSignal.timeout(this.deadlineMs),
        dispatcher: this.agent,
      });
      const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_at?: string; version?: number; error?: { code?: string; message?: string } };
      const doneAt = Date.now();
      if (response.status === 200 && typeof body.access_token === 'string') {
        const peer = this.peers.get(id);
        if (peer) this.audit.see(body.access_token, peer);
        return { id, sentAt, doneAt, status: 200, version: body.version, token: this.indexOf(body.access_token), expiresAt: body.expires_at ? Date.parse(body.expires_at) : undefined };
      }
      return { id, sentAt, doneAt, status: response.status, code: body.error?.code ?? `http_${response.status}`, ...(response.status >= 500 ? { message: body.error?.message?.slice(0, 200) } : {}) };
    } catch (err) {
      return { id, sentAt, doneAt: Date.now(), status: 0, code: (err as Error).name === 'TimeoutError' ? 'deadline' : 'network' };
    }
  }

  private indexOf(token: string): number {
    let i = this.tokenIndex.get(token);
    if (i === undefined) {
      i = this.tokens.push(token) - 1;
      this.tokenIndex.set(token, i);
    }
    return i;
  }

  /** The latest read of `id`. */
  lastRead(id: string): Read | undefined {
    return this.last.get(id);
  }

  /** The access token of a read. */
  tokenOf(read: Read): string | undefined {
    return read.token === undefined ? undefined : this.tokens[read.token];
  }

  /** Figures of the reads sent in [from, to) (default: all), optionally of some credentials only; `excuse` picks error answers that an accepted loss explains. */
  async figures(window: { from?: number; to?: number; ids?: ReadonlySet<string>; excuse?: (read: Read) => boolean } = {}): Promise<ReadFigures> {
    await this.audit.settled();
    const from = window.from ?? 0;
    const to = window.to ?? Number.POSITIVE_INFINITY;
    const lastGood = new Map<string, Read>();
    const byStatus: Record<string, number> = {};
    const byCode: Record<string, number> = {};
    const latencies: number[] = [];
    let reads = 0;
    let errors = 0;
    let excused = 0;
    const excusedByCode: Record<string, number> = {};
    let fiveXx = 0;
    const fiveXxExamples: ReadFigures['fiveXxExamples'] = [];
    let fiveXxWithValidToken = 0;
    let expiredServed = 0;
    let expiredServedByHalflifeClock = 0;
    let expiredServedInRounding = 0;
    const expiredServedExamples: ReadFigures['expiredServedExamples'] = [];
    let refusedServed = 0;
    const misdated = new Map<number, number>();
    // In the order they were sent, so "the last token served" is the one before each read.
    for (const read of [...this.reads].sort((a, b) => a.sentAt - b.sentAt)) {
      if (window.ids && !window.ids.has(read.id)) continue;
      const inWindow = read.sentAt >= from && read.sentAt < to;
      if (read.status === 200) {
        if (inWindow) {
          const token = this.tokenOf(read);
          const verdict = token ? await this.audit.verdict(token) : undefined;
          const expiredByHalflife = read.expiresAt !== undefined && read.expiresAt <= read.sentAt;
          const overshoot = read.expiresAt !== undefined && verdict?.expiresAt !== undefined ? read.expiresAt - verdict.expiresAt : 0;
          if (overshoot > 1000 && read.token !== undefined) misdated.set(read.token, overshoot);
          const expiredByProvider = verdict?.expiresAt !== undefined && verdict.expiresAt <= read.sentAt;
          if (expiredByHalflife || expiredByProvider) {
            expiredServed += 1;
            const inRounding = !expiredByHalflife && overshoot < 1000;
            if (expiredByHalflife) expiredServedByHalflifeClock += 1;
            else if (inRounding) expiredServedInRounding += 1;
            const earlier = Math.min(read.expiresAt ?? Number.POSITIVE_INFINITY, verdict?.expiresAt ?? Number.POSITIVE_INFINITY);
            const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
            // Up to 5 examples, those beyond the rounding first (they push out rounding ones).
            const roundingShown = expiredServedExamples.findIndex((e) => e.inRounding);
            if (expiredServedExamples.length >= 5 && !inRounding && roundingShown >= 0) expiredServedExamples.splice(roundingShown, 1);
            if (expiredServedExamples.length < 5) expiredServedExamples.push({ inRounding, id: read.id, version: read.version, lateByMs: read.sentAt - earlier, halflifeExpiresAt: iso(read.expiresAt), providerExpiresAt: iso(verdict?.expiresAt) });
          }
          else if (verdict && !verdict.active && (verdict.expiresAt === undefined || verdict.expiresAt > verdict.checkedAt)) refusedServed += 1;
        }
        lastGood.set(read.id, read);
      }
      if (!inWindow) continue;
      reads += 1;
      latencies.push(read.doneAt - read.sentAt);
      byStatus[read.status] = (byStatus[read.status] ?? 0) + 1;
      if (read.status === 200) continue;
      if (window.excuse?.(read)) {
        excused += 1;
        excusedByCode[read.code ?? '?'] = (excusedByCode[read.code ?? '?'] ?? 0) + 1;
        continue;
      }
      errors += 1;
      if (read.code) byCode[read.code] = (byCode[read.code] ?? 0) + 1;
      if (read.status >= 500) {
        fiveXx += 1;
        if (!fiveXxExamples.some((e) => e.code === read.code)) fiveXxExamples.push({ id: read.id, code: read.code, message: read.message, at: new Date(read.sentAt).toISOString() });
        const last = lastGood.get(read.id);
        const token = last ? this.tokenOf(last) : undefined;
        const verdict = token ? await this.audit.verdict(token) : undefined;
        const expiry = Math.min(last?.expiresAt ?? 0, verdict?.expiresAt ?? Number.POSITIVE_INFINITY);
        if (last && verdict?.active && !verdict.grantRevoked && expiry > read.doneAt) fiveXxWithValidToken += 1;
      }
    }
    return { reads, errors, excused, excusedByCode, byStatus, byCode, fiveXx, fiveXxExamples, fiveXxWithValidToken, expiredServed, expiredServedByHalflifeClock, expiredServedInRounding, expiredServedExamples, misdatedTokens: misdated.size, misdatedByMsMax: Math.max(0, ...misdated.values()), refusedServed, latencyMs: percentiles(latencies) };
  }
}
