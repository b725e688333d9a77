/**
 * Inputs and outputs of the connect activities, shared (as types) with the connect session
 * workflow. Like every activity contract, fields are only ever added, as optional.
 */
import type { TokenSet } from '../../credential';
import type { ConnectProfile, ConnectResult } from '../../connect/messages';
import type { ConnectLink, CreateConnectLinkInput } from './create-link';

export { connectFailureType } from '../../connect/messages';

/** Why a connect activity failed for good (no secret in it). */
export interface ConnectFailureDetails {
  result: Exclude<ConnectResult, 'connected'>;
  code: string;
  message: string;
}

/** A grant obtained from the authorization server. */
export interface ObtainedGrant {
  token: TokenSet;
  /** Absent when the server issued none (e.g. `offline_access` not granted). */
  refreshToken?: string;
  /** A problem with an answer that was used anyway (e.g. an id_token that failed validation). */
  warning?: { code: string; message: string };
}

/** Input of `exchangeAuthorizationCode`. */
export interface ExchangeCodeInput {
  credentialId: string;
  profile: ConnectProfile;
  code: string;
  /** RFC 9207 `iss` of the authorization response, as received. */
  iss?: string;
  redirectUri: string;
  codeVerifier?: string;
}

/** Input of `requestDeviceAuthorization`. */
export interface DeviceAuthorizationInput {
  credentialId: string;
  profile: ConnectProfile;
}

/** The device authorization answer (RFC 8628 §3.2); `deviceCode` is secret. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  intervalS: number;
  expiresAt: number;
}

/** Input of `pollDeviceAuthorization`. */
export interface PollDeviceInput {
  credentialId: string;
  profile: ConnectProfile;
  deviceCode: string;
  intervalS: number;
  /** Polling stops (result `expired`) at this instant. */
  expiresAt: number;
}

/** Input of `handOverGrant`. */
export interface HandOverInput {
  credentialId: string;
  profile: ConnectProfile;
  grant: { refreshToken: string; token: TokenSet };
}

/** What the hand-over did. */
export interface HandOverResult {
  registration: 'created' | 'replaced' | 'unchanged';
  version: number;
}

/** The connect activities the connect session workflow calls. */
export interface ConnectActivities {
  /** Exchanges an authorization code (with its PKCE verifier) for a grant; the answer is made durable before it is read. */
  exchangeAuthorizationCode(input: ExchangeCodeInput): Promise<ObtainedGrant>;
  /** Asks the server for a device code and a user code. */
  requestDeviceAuthorization(input: DeviceAuthorizationInput): Promise<DeviceAuthorization>;
  /** Polls the token endpoint (respecting `interval` and `slow_down`) until the person approves, denies, or the code expires. */
  pollDeviceAuthorization(input: PollDeviceInput): Promise<ObtainedGrant>;
  /** Registers the credential with the grant, or replaces the grant of the existing one (idempotent). */
  handOverGrant(input: HandOverInput): Promise<HandOverResult>;
  /** A fresh connect link from a credential's own configuration and connect settings (for `reauth_required`). */
  createConnectLink(input: CreateConnectLinkInput): Promise<ConnectLink>;
}
