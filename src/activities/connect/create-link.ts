/**
 * A fresh connect link for a credential, made from the credential's own provider configuration
 * and the connect settings it kept (`ConnectSettings`): what a credential created by a connect
 * link shows (and notifies) when it enters `reauth_required`, so nobody needs the client secret
 * again. Registered by every worker; it needs the worker to know `HALFLIFE_PUBLIC_URL`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { ConnectClient } from '../../connect/connect-client';
import type { ConnectSettings } from '../../connect/messages';

/** `ApplicationFailure.type` when this worker cannot make links (no public URL configured). */
export const connectUnavailableFailureType = 'HalflifeConnectUnavailable';

/** Input of `createConnectLink`. */
export interface CreateConnectLinkInput {
  credentialId: string;
  /** The credential's `oauth2` configuration (holds the client secret; travels encrypted). */
  config: Record<string, unknown>;
  connect: ConnectSettings;
  /** @default 15 minutes */
  ttlMs?: number;
  /** Why the link is made, for the record (e.g. `reauth_required`). */
  reason?: string;
}

/** A link made by `createConnectLink` (the URL is a capability: show it only to whoever may reconnect the credential). */
export interface ConnectLink {
  url: string;
  /** The session's public handle (its workflow id is `connect:<handle>`). */
  handle: string;
  expiresAt: number;
}

/** Dependencies of `createConnectLink`. */
export interface CreateLinkDeps {
  /** The worker's ConnectClient; absent when the worker has no public URL. */
  connectClient?: () => Pick<ConnectClient, 'createFromProfile'>;
}

/** Creates the `createConnectLink` activity. */
export function createCreateConnectLink(deps: CreateLinkDeps) {
  return async function createConnectLink(input: CreateConnectLinkInput): Promise<ConnectLink> {
    if (!deps.connectClient) {
      throw ApplicationFailure.create({ type: connectUnavailableFailureType, message: 'this worker has no HALFLIFE_PUBLIC_URL: it cannot make connect links', nonRetryable: true });
    }
    const created = await deps.connectClient().createFromProfile(input.credentialId, { ...input.connect, config: input.config }, {
      mode: 'link',
      ...(input.ttlMs !== undefined ? { ttlMs: input.ttlMs } : {}),
      createdBy: input.reason ?? 'credential',
    });
    return { url: created.url ?? '', handle: created.handle, expiresAt: created.expiresAt };
  };
}
