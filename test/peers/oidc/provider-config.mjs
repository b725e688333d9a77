/**
 * oidc-provider's configuration for the peer: strict by default (PKCE required for every client,
 * no `none` client authentication, only the `code` response type, offline_access only with
 * prompt=consent as the provider enforces), rotation on every refresh, short lifetimes on demand.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Routes, named once here and reported to the controller. */
export const routes = {
  authorization: '/auth',
  token: '/token',
  jwks: '/jwks',
  userinfo: '/me',
  introspection: '/token/introspection',
  revocation: '/token/revocation',
  device_authorization: '/device/auth',
  code_verification: '/device',
  end_session: '/session/end',
  pushed_authorization_request: '/request',
};

const DAY_S = 24 * 60 * 60;

/** A fresh RS256 signing key for id_tokens (one per run). */
function signingJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: `peer-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' }] };
}

/**
 * Builds the configuration. `options` are the peer's start options (already defaulted), `state`
 * the mutable settings (rotation), `Adapter` the store's adapter class, `staticClients` metadata.
 */
export function providerConfiguration({ options, state, Adapter, staticClients }) {
  const refreshTtl = (_ctx, token) => {
    let ttl = options.refreshTokenTtlS;
    if (options.refreshTokenAbsoluteTtlS !== undefined) {
      const age = Math.floor(Date.now() / 1000) - (token.iiat ?? Math.floor(Date.now() / 1000));
      ttl = Math.min(ttl, options.refreshTokenAbsoluteTtlS - age);
    }
    return Math.max(ttl, 1);
  };
  return {
    adapter: Adapter,
    jwks: signingJwks(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: staticClients,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'api', ...options.extraScopes],
    claims: { openid: ['sub'], email: ['email'] },
    clockTolerance: options.clockToleranceS,
    routes,
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@peer.test` }),
    }),
    // Rotation every time (strict or grace); 'none' keeps the same refresh token.
    rotateRefreshToken: () => state.rotation !== 'none',
    ttl: {
      AccessToken: () => options.accessTokenTtlS,
      ClientCredentials: () => options.accessTokenTtlS,
      IdToken: () => options.accessTokenTtlS,
      RefreshToken: refreshTtl,
      AuthorizationCode: () => 60,
      DeviceCode: () => 600,
      Interaction: () => 600,
      Session: () => DAY_S,
      // The grant outlives its refresh tokens: their own TTLs decide when the chain ends.
      Grant: () => 10 * 365 * DAY_S,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
}
