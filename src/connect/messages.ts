/**
 * The message contract of connect sessions (the re-authorization loop): the workflow id scheme,
 * every query and update of `connectSessionWorkflow`, and the shapes they carry. Imported by the
 * workflow (so: no Node imports here) and by the clients (API, CLI).
 *
 * A connect session is one short-lived workflow per link (or device code), id
 * `connect:<handle>`, where the handle is a digest of the session token: the token itself (the
 * capability in the link, and the OAuth `state`) never appears in a workflow id, a search
 * attribute or a log; it travels only inside encrypted payloads.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Prefix of every connect session workflow id. */
export const connectWorkflowIdPrefix = 'connect:';

/** The workflow type name of connect sessions (visibility queries use it). */
export const connectSessionWorkflowType = 'connectSessionWorkflow';

/** The workflow id of the connect session with `handle`. */
export function connectSessionWorkflowId(handle: string): string {
  return `${connectWorkflowIdPrefix}${handle}`;
}

/** How the person authorizes: a link opened in a browser, or a device code (RFC 8628). */
export type ConnectMode = 'link' | 'device';

/**
 * Everything Halflife needs to run the authorization at one server, as validated at the
 * session's creation. Holds the client secret: it only ever travels inside encrypted payloads.
 */
export interface ConnectProfile {
  /** The `oauth2` provider configuration the credential gets (camelCase, validated; holds the client secret). */
  config: Record<string, unknown>;
  authorizationEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  /** The scope asked for (space-separated); absent: the server's default. */
  scope?: string;
  /** Extra authorization request parameters (the preset's, then the request's). */
  authorizationParams: Record<string, string>;
  /** Send a PKCE S256 challenge (off only for providers known to refuse it, or on request). */
  pkce: boolean;
  /** The server sends `iss` in authorization responses (RFC 9207): it is then required and checked. */
  issParameter?: boolean;
  /** The preset the settings came from, if any. */
  preset?: string;
  /** Lifetime assumed for an access token whose answer has no `expires_in`. */
  defaultLifetimeMs: number;
}

/**
 * The non-secret part of a profile: what a credential created by a connect link keeps so that a
 * fresh link can be made for it later from its own configuration (see `createConnectLink`).
 */
export type ConnectSettings = Omit<ConnectProfile, 'config'>;

/** The connect settings of a profile (everything but the provider configuration). */
export function connectSettingsOf(profile: ConnectProfile): ConnectSettings {
  const { config: _config, ...settings } = profile;
  return settings;
}

/** Input of `connectSessionWorkflow`. */
export interface ConnectSessionInput {
  /** The public handle (digest of the session token). */
  handle: string;
  credentialId: string;
  mode: ConnectMode;
  createdAt: number;
  expiresAt: number;
  profile: ConnectProfile;
  /** `<public URL>/connect/callback`. */
  redirectUri: string;
  /** Link mode: the one-time link on Halflife (a capability: it holds the session token). */
  url?: string;
  /** Link mode: where the link redirects (state and PKCE challenge included). */
  authorizationUrl?: string;
  /** Link mode, with PKCE: the code verifier (secret). */
  codeVerifier?: string;
  /** Who asked for the session (an API key's name, `cli`), for the record. */
  createdBy?: string;
}

/** How a session ended. */
export type ConnectResult = 'connected' | 'denied' | 'expired' | 'no_refresh_token' | 'exchange_failed' | 'handover_failed';

/** The end of a session; messages never hold a secret. */
export interface ConnectOutcome {
  result: ConnectResult;
  /** Stable code: `connected`, the provider's error (`access_denied`, `invalid_grant`, …), `session_expired`, `no_refresh_token`, … */
  code: string;
  message: string;
  at: number;
  /** On `connected`: whether the credential was created or its grant replaced, and its version then. */
  registration?: 'created' | 'replaced' | 'unchanged';
  version?: number;
}

/** Where a session is. */
export type ConnectStatus = 'pending' | 'exchanging' | 'polling' | 'handing_over' | 'done';

/** What a person needs for the device flow (no device code: that one stays inside). */
export interface DeviceView {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Seconds between polls (grows by 5 with every `slow_down`). */
  intervalS: number;
  expiresAt: number;
}

/** A session as queries show it: no code, verifier, device code or token. */
export interface ConnectSessionView {
  handle: string;
  credentialId: string;
  mode: ConnectMode;
  status: ConnectStatus;
  createdAt: number;
  expiresAt: number;
  /** How often the link was opened. */
  opened: number;
  openedAt?: number;
  /** The link (link mode, while pending). */
  url?: string;
  device?: DeviceView;
  outcome?: ConnectOutcome;
  preset?: string;
}

/** The parameters the provider sent back to the callback. */
export interface CallbackRequest {
  code?: string;
  /** `error` of an error response (RFC 6749 §4.1.2.1), e.g. `access_denied`. */
  error?: string;
  errorDescription?: string;
  /** RFC 9207 issuer identifier. */
  iss?: string;
}

/** Why a session refused a request (the `type` of the failure is `connectSessionClosedFailureType`). */
export interface SessionClosedDetails {
  reason: 'expired' | 'used' | 'in_progress' | 'wrong_mode';
  outcome?: ConnectOutcome;
}

/** `ApplicationFailure.type` of a connect activity failure that retrying cannot fix; `details[0]` is a `ConnectFailureDetails`. */
export const connectFailureType = 'HalflifeConnectFailure';

/** `ApplicationFailure.type` of a request refused because the session is closed (expired, used, other mode). */
export const connectSessionClosedFailureType = 'HalflifeConnectSessionClosed';

/** The session as it is now. */
export const connectSessionQuery = defineQuery<ConnectSessionView>('connectSession');

/** Opening the link: answers the authorization URL while the session is pending. */
export const openLinkUpdate = defineUpdate<{ authorizationUrl: string }, []>('openLink');

/** The provider's answer arrived at the callback: answers how the session ended (once). */
export const callbackUpdate = defineUpdate<ConnectOutcome, [CallbackRequest]>('callback');

/** Device mode: waits until the device code is known (or the session ended) and answers the session. */
export const deviceCodeUpdate = defineUpdate<ConnectSessionView, []>('deviceCode');
