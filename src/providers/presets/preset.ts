/**
 * The shape of a provider preset: what Halflife knows about one provider's OAuth 2.0 behaviour,
 * every value backed by a fact from a public page.
 *
 * Pure data and pure functions only (no Node, no network), so the workflow sandbox can read it.
 * A field the sources are silent on is left out, never guessed; `docs/presets.md` says which.
 */

/** A documented fact about a provider, with the page it came from. */
export interface PresetFact {
  fact: string;
  /** The https URL of the page that states the fact. */
  source: string;
}

/** A `{name}` in a preset's URL or parameter, filled per credential. */
export interface PresetPlaceholder {
  name: string;
  description: string;
  /** A realistic value; the tests substitute it to check every URL. */
  example: string;
  /** Values with which the issuer is not known (Microsoft's `common`): the issuer is then left out and an `id_token` ignored. */
  issuerUnknownFor?: string[];
}

/**
 * A provider-specific failure and its classification.
 *
 * `match` is `field=value` (that OAuth field of the error answer equals the value, e.g.
 * `error=invalid_grant`) or `field~text` (the field contains the text; `body~text` searches the
 * whole answer). The part after `=` or `~` is the keyword a backing fact must mention. Rows are
 * tried in order and the first match wins, so a more specific row comes first.
 */
export interface PresetError {
  match: string;
  kind: 'transient' | 'reauth' | 'configuration' | 'malformed';
  note: string;
}

/** How the provider issues and replaces refresh tokens. */
export interface PresetRefreshTokens {
  /**
   * `always`: every grant has one; `with_scope`: only when a scope such as `offline_access` is
   * granted; `optional`: only when the authorization asked for it otherwise (a parameter, an app
   * setting); `never`: the grant has none.
   */
  issued: 'always' | 'with_scope' | 'never' | 'optional';
  /**
   * `always`: each refresh returns a new one and the old one dies (after `reuseGraceMs`, if any);
   * `never`: the same one stays; `configurable`: an app or tenant setting decides; `sometimes`: a
   * new one may come back, or the provider does not document it: keep whichever is newest.
   */
  rotates: 'always' | 'never' | 'configurable' | 'sometimes';
  /** A replayed rotated refresh token still works this long (the provider's default). */
  reuseGraceMs?: number;
  /** The refresh token dies this long after the user authorized, however often it is used. */
  absoluteLifetimeMs?: number;
  /** The refresh token dies when unused this long. */
  idleLifetimeMs?: number;
}

/** How the token endpoint's answers depart from RFC 6749 §5.1–5.2; the `oauth2` provider reads it. */
export interface PresetAnswers {
  /**
   * Errors may come back with HTTP 200: `error_field`, a body with an `error` and no
   * `access_token` (GitHub); `ok_false`, a body with `"ok": false` and its `error` (Slack).
   */
  errorsWithStatus200?: 'error_field' | 'ok_false';
  /** The answer's `token_type` is no HTTP authentication scheme (Slack: `bot`, `user`); the token is used with this one. */
  tokenType?: 'Bearer';
}

/** What Halflife knows about one provider's OAuth 2.0 behaviour. */
export interface Preset {
  /** Lower-case; the registration `preset` value. */
  name: string;
  title: string;
  provider: 'oauth2' | 'oauth2_client_credentials';
  /** May contain placeholders such as `{tenant}`, each described in `placeholders`. */
  tokenEndpoint?: string;
  /** OpenID Connect issuer (placeholders allowed), for discovery and id_token validation. */
  issuer?: string;
  authorizationEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  revocationEndpoint?: string;
  placeholders?: PresetPlaceholder[];
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  /** Left out where the sources are silent. */
  pkce?: 'required' | 'supported' | 'unsupported';
  defaultScopes?: string[];
  /** Extra authorization request parameters (e.g. Google `access_type=offline`). */
  authorizationParams?: Record<string, string>;
  /** Extra token request parameters. */
  tokenParams?: Record<string, string>;
  refreshTokens: PresetRefreshTokens;
  /** Typical access-token lifetime, used when `expires_in` is missing (the shortest documented). */
  accessTokenLifetimeMs?: number;
  /** The provider omits `expires_in` from its answers. */
  expiresInMissing?: boolean;
  /** The provider hands back the same access token until this long before its expiry. */
  sameTokenWindowMs?: number;
  /** The provider refuses to refresh a token still valid for more than this long. */
  refusesEarlyRefreshMs?: number;
  errors?: PresetError[];
  /** Where the answers depart from the standard. */
  answers?: PresetAnswers;
  /** Answer fields kept with the token as metadata (`metadataFields`, e.g. Salesforce's `instance_url`). */
  answerFields?: string[];
  /** Behaviour a client must know that has no field of its own. */
  quirks?: string[];
  /** Every value above, backed by a fact with its source. */
  facts: PresetFact[];
}

/** The preset fields that hold a URL (each may contain placeholders). */
export const presetUrlFields = ['tokenEndpoint', 'issuer', 'authorizationEndpoint', 'deviceAuthorizationEndpoint', 'revocationEndpoint'] as const;

/** The name of one URL field of a preset. */
export type PresetUrlField = (typeof presetUrlFields)[number];

/** One second in milliseconds. */
export const SECOND = 1_000;
/** One minute in milliseconds. */
export const MINUTE = 60 * SECOND;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** One day in milliseconds. */
export const DAY = 24 * HOUR;
/** A month as presets count it: 30 days, the short reading, so expiry warnings come early, not late. */
export const MONTH = 30 * DAY;
/** A year as presets count it: 365 days. */
export const YEAR = 365 * DAY;
