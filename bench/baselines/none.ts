/**
 * Baseline 1, "no coordination": what most services do first. The token set is loaded once per
 * process (from configuration or a database row); a caller whose access token was refused
 * refreshes with the refresh token the process holds and keeps what comes back.
 */
import { refreshTokenGrant, type TokenClientConfig } from './token-request';

/** The token set a process holds. */
export interface HeldTokens {
  accessToken: string;
  refreshToken: string;
}

/** A refresher without any coordination: every call is a token request. */
export function noCoordination(client: TokenClientConfig, initial: HeldTokens) {
  const store: HeldTokens = { ...initial };
  return {
    /** A new access token for a caller whose `_refused` token failed. */
    async refresh(_refused: string): Promise<string> {
      const answer = await refreshTokenGrant(client, store.refreshToken);
      store.accessToken = answer.access_token;
      if (answer.refresh_token) store.refreshToken = answer.refresh_token;
      return store.accessToken;
    },
    /** The refresh token this process would use next. */
    held: async (): Promise<string[]> => [store.refreshToken],
  };
}
