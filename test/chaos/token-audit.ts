/**
 * What the provider says about every access token Halflife handed out: checked once, as soon as
 * a reader first sees it (the provider's introspection: does it accept the token now?), and its
 * real expiry as the provider stores it, so every read of it can be judged against the provider's
 * clock rather than Halflife's.
 */
import type { OidcPeer } from '../peers/oidc-peer';

/** The provider's view of one token. */
export interface TokenVerdict {
  /** The provider accepted it when first seen. */
  active: boolean;
  /** When the provider checked (epoch ms). */
  checkedAt: number;
  /** The provider's own expiry of the token (epoch ms), when it still knows the token. */
  expiresAt?: number;
  /** The token's grant was revoked at the provider when checked. */
  grantRevoked?: boolean;
}

/** Checks tokens at their provider, a few at a time, each once. */
export class TokenAudit {
  private readonly verdicts = new Map<string, Promise<TokenVerdict | undefined>>();
  private readonly queue: (() => Promise<void>)[] = [];
  private active = 0;

  constructor(private readonly width = 4) {}

  /** Checks `accessToken` at `peer` unless it was already (its verdict is kept). */
  see(accessToken: string, peer: OidcPeer): void {
    if (this.verdicts.has(accessToken)) return;
    this.verdicts.set(accessToken, new Promise((resolve) => {
      this.queue.push(async () => resolve(await verdictOf(peer, accessToken).catch(() => undefined)));
      this.pump();
    }));
  }

  private pump(): void {
    while (this.active < this.width && this.queue.length) {
      const job = this.queue.shift()!;
      this.active += 1;
      void job().finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  /** The verdict on `accessToken` once checked (undefined when it was never seen or the check failed). */
  verdict(accessToken: string): Promise<TokenVerdict | undefined> {
    return this.verdicts.get(accessToken) ?? Promise.resolve(undefined);
  }

  /** Tokens seen. */
  get size(): number {
    return this.verdicts.size;
  }

  /** Waits for every check started so far. */
  async settled(): Promise<void> {
    await Promise.all(this.verdicts.values());
  }
}

async function verdictOf(peer: OidcPeer, accessToken: string): Promise<TokenVerdict> {
  const checkedAt = Date.now();
  const [active, info] = await Promise.all([peer.isAccessTokenValid(accessToken), peer.lookupToken(accessToken)]);
  const grant = info?.grantId ? await peer.grant(info.grantId) : undefined;
  return { active, checkedAt, ...(info ? { expiresAt: info.expiresAt } : {}), ...(grant ? { grantRevoked: grant.revoked } : {}) };
}
