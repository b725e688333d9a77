/** The OpenID peer's contract: options, clients, grants and what the peer reports. */
import type { JsonWebKey } from 'node:crypto';
import type { ClientAuthMethod } from './client-auth';

/** Refresh-token rotation: every refresh rotates; a replay is refused and revokes the grant (strict), is answered again within `graceMs` of the first use, or refresh tokens never rotate (none). */
export type OidcPeerRotation = 'strict' | 'none' | { graceMs: number };

/** How the peer is down: 503 to every request, or its port refuses connections. */
export type OidcPeerDownMode = 'http503' | 'refuse';

/** A client to register. */
export interface OidcPeerClientSpec {
  /** @default a random id */
  clientId?: string;
  /** For the secret methods. @default a random secret */
  clientSecret?: string;
  /** @default 'client_secret_basic' */
  auth?: ClientAuthMethod;
  /** Public keys for private_key_jwt. Without them the peer generates an ES256 pair and returns the private key. */
  jwks?: { keys: JsonWebKey[] };
  /** @default ['authorization_code', 'refresh_token', 'client_credentials', device_code] */
  grantTypes?: string[];
  /** @default ['http://127.0.0.1/oidc-peer/callback'] when authorization_code is allowed */
  redirectUris?: string[];
  /** Scopes the client may ask for (client metadata `scope`). @default any the peer knows */
  scope?: string;
}

/** A registered client, with its credentials (this is a test peer). */
export interface OidcPeerClient {
  /** The client id. */
  clientId: string;
  /** Its authentication method. */
  auth: ClientAuthMethod;
  /** Allowed grant types. */
  grantTypes: string[];
  /** Registered redirect URIs. */
  redirectUris: string[];
  /** The secret (secret methods). */
  clientSecret?: string;
  /** Its public keys (private_key_jwt). */
  jwks?: { keys: JsonWebKey[] };
  /** The private key, when the peer generated the pair. */
  privateJwk?: JsonWebKey;
  /** Its metadata `scope`, when set. */
  scope?: string;
}

/** Options of `startOidcPeer`. */
export interface OidcPeerOptions {
  /** Path of the issuer on the peer's origin, e.g. '/oauth2/default' (Okta custom servers). @default '' */
  issuerPath?: string;
  /** Access token (and id_token, client_credentials token) lifetime. @default 3600 */
  accessTokenTtlS?: number;
  /** Lifetime of each refresh token from its issue (an idle lifetime, since each rotation issues a new one). @default 30 days */
  refreshTokenTtlS?: number;
  /** Absolute lifetime of a grant's refresh tokens, counted from the first one. @default none */
  refreshTokenAbsoluteTtlS?: number;
  /** @default 'strict' */
  rotation?: OidcPeerRotation;
  /** The token endpoint answers this long after the provider decided. @default 0 */
  answerDelayMs?: number;
  /** `interval` of device authorizations; polls sooner answer slow_down (RFC 8628 §3.5). @default 5 */
  deviceIntervalS?: number;
  /** Clients registered at start. */
  clients?: OidcPeerClientSpec[];
  /** Scopes beyond 'openid', 'offline_access' and 'api'. */
  scopes?: string[];
  /** Provider port. @default a free port */
  port?: number;
  /** Admin API port. @default a free port */
  adminPort?: number;
  /** Clock tolerance for client assertions. @default 5 */
  clockToleranceS?: number;
  /** Receives the child's stderr lines (oidc-provider's warnings). @default dropped (kept for error messages) */
  log?: (line: string) => void;
}

/** Options of `mintGrant`. */
export interface MintGrantOptions {
  /** The client that gets the grant. */
  clientId: string;
  /** @default 'openid offline_access api' */
  scope?: string;
  /** The account (login typed into the login form). @default 'user' */
  accountId?: string;
  /** The client's private key, when it was registered with its own jwks (private_key_jwt). */
  privateJwk?: JsonWebKey;
}

/** A grant created through the authorization code flow. */
export interface MintedGrant {
  /** The provider's grant id. */
  grantId: string;
  /** The first refresh token. */
  refreshToken: string;
  /** The first access token. */
  accessToken: string;
  /** `expires_in` of the access token. */
  expiresIn: number;
  /** The id_token, when the scope had openid. */
  idToken?: string;
  /** The granted scope. */
  scope: string;
  /** The client. */
  clientId: string;
  /** The account (`sub`). */
  accountId: string;
}

/** Counters since start or the last `resetStats`. */
export interface OidcPeerStats {
  /** Token endpoint requests (excluding the peer's own minting). */
  tokenRequests: number;
  /** Successful refresh_token grants. */
  refreshGrants: number;
  /** Refused reuses of a consumed refresh token (each revoked its grant). */
  replays: number;
  /** Reuses answered inside the grace window. */
  graceReplays: number;
  /** Grants revoked, by any cause. */
  grantsRevoked: number;
  /** Grants the provider still holds and that were not revoked. */
  activeGrants: number;
  /** Successful client_credentials grants. */
  clientCredentialsGrants: number;
  /** Successful authorization_code grants (excluding the peer's own minting). */
  authorizationCodeGrants: number;
  /** Successful device_code grants. */
  deviceCodeGrants: number;
  /** Answers replaced by `failNext`. */
  injectedFailures: number;
  /** Answers the caller did not wait for (connection closed first). */
  abortedAnswers: number;
  /** Error answers by OAuth error code. */
  errors: Record<string, number>;
}

/** One grant as the peer saw it. */
export interface OidcPeerGrantInfo {
  grantId: string;
  clientId?: string;
  accountId?: string;
  /** Epoch ms. */
  createdAt: number;
  revoked: boolean;
  revokedAt?: number;
  /** 'replay', 'admin', 'revocation', … */
  revokedBy?: string;
  /** Refreshes the provider performed (including ones whose answer `failNext(..., { when: 'after' })` replaced). */
  refreshCount: number;
  /** Epoch ms of the last one. */
  lastRefreshAt?: number;
  replays: number;
  graceReplays: number;
  /** Not revoked and still held by the provider. */
  live: boolean;
}

/** One token endpoint request. Times are epoch ms on this machine's clock. */
export interface OidcPeerTokenEvent {
  seq: number;
  /** The request arrived. */
  receivedAt: number;
  /** The provider decided (a rotation is committed from here), or a failure was injected. */
  decidedAt?: number;
  /** The answer was written (or, with `aborted`, the caller closed the connection). */
  answeredAt?: number;
  aborted: boolean;
  grantType?: string;
  clientId?: string;
  grantId?: string;
  /** HTTP status of the answer. */
  status?: number;
  /** OAuth error code of the answer. */
  error?: string;
  /** The provider's internal reason (e.g. 'refresh token already used'). */
  errorDetail?: string;
  /** Set when `failNext` replaced the answer: before or after the provider decided. */
  injected?: 'before' | 'after';
  /** Fingerprints (see `fingerprint`) of the refresh token presented and the one issued. */
  presented?: string;
  issued?: string;
  rotated?: boolean;
  replay?: boolean;
  graceReplay?: boolean;
  /** Internal: log version of the last change. */
  version: number;
}

/** The peer's mutable settings. */
export interface OidcPeerSettings {
  rotation: OidcPeerRotation;
  answerDelayMs: number;
  deviceIntervalS: number;
  down: false | OidcPeerDownMode;
  pendingFailures: Array<{ count: number; status: number; when: 'before' | 'after'; body: unknown }>;
}

/** What the provider stores about a token (looked up by value). */
export interface OidcPeerTokenInfo {
  kind: 'RefreshToken' | 'AccessToken' | 'ClientCredentials' | 'AuthorizationCode';
  grantId?: string;
  clientId?: string;
  accountId?: string;
  consumed: boolean;
  /** Epoch ms. */
  expiresAt: number;
  scope?: string;
}

/** A token endpoint answer. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}
