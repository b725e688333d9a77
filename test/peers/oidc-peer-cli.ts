/**
 * Runs the OpenID peer by hand, for benchmarks and manual trials:
 *
 *   npx tsx test/peers/oidc-peer-cli.ts --port 9000 --rotation strict --issuer-path /oauth2/default
 *
 * Prints the endpoints, the client and freshly minted grants (refresh tokens included: this is a
 * loopback test peer), then serves until Ctrl-C. Another process steers it with
 * `attachOidcPeer(adminUrl)`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startOidcPeer, type OidcPeerRotation } from './oidc-peer';
import type { ClientAuthMethod } from './oidc/client-auth';

const integer = (name: string) => (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
  return parsed;
};

/** 'strict', 'none' or 'grace:<ms>'. */
function rotation(value: string): OidcPeerRotation {
  if (value === 'strict' || value === 'none') return value;
  const grace = /^grace:(\d+)$/.exec(value);
  if (grace) return { graceMs: Number(grace[1]) };
  throw new InvalidArgumentError("must be 'strict', 'none' or 'grace:<ms>' (e.g. grace:30000)");
}

const program = new Command('oidc-peer')
  .description('panva oidc-provider on loopback, strictly configured, for Halflife tests and benchmarks')
  .option('--port <n>', 'provider port (default: a free port)', integer('--port'))
  .option('--admin-port <n>', 'admin API port (default: a free port)', integer('--admin-port'))
  .option('--issuer-path <path>', "issuer path, e.g. '/oauth2/default'", '')
  .option('--rotation <mode>', "'strict', 'none' or 'grace:<ms>'", rotation, 'strict' as OidcPeerRotation)
  .option('--access-ttl <s>', 'access token lifetime in seconds', integer('--access-ttl'), 3600)
  .option('--refresh-ttl <s>', 'refresh token lifetime in seconds', integer('--refresh-ttl'))
  .option('--delay <ms>', 'token endpoint answer delay', integer('--delay'), 0)
  .option('--client-id <id>', 'client id', 'halflife')
  .option('--client-secret <secret>', 'client secret (default: generated)')
  .option('--auth <method>', 'client_secret_basic, client_secret_post or private_key_jwt', 'client_secret_basic')
  .option('--scope <scope>', 'scope of the minted grants', 'openid offline_access api')
  .option('--redirect-uri <uri...>', "the client's redirect URIs, e.g. Halflife's http://127.0.0.1:7380/connect/callback (default: the peer's own)")
  .option('--mint <n>', 'grants to mint', integer('--mint'), 1)
  .option('--json', 'print one JSON object instead of text')
  .option('--verbose', "show oidc-provider's warnings");

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    port?: number; adminPort?: number; issuerPath: string; rotation: OidcPeerRotation; accessTtl: number; refreshTtl?: number;
    delay: number; clientId: string; clientSecret?: string; auth: ClientAuthMethod; scope: string; redirectUri?: string[]; mint: number; json?: boolean; verbose?: boolean;
  }>();
  const peer = await startOidcPeer({
    port: opts.port,
    adminPort: opts.adminPort,
    issuerPath: opts.issuerPath,
    rotation: opts.rotation,
    accessTokenTtlS: opts.accessTtl,
    refreshTokenTtlS: opts.refreshTtl,
    answerDelayMs: opts.delay,
    log: opts.verbose ? (line) => process.stderr.write(`[oidc-provider] ${line}\n`) : undefined,
  });
  const stop = () => void peer.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const client = await peer.addClient({ clientId: opts.clientId, clientSecret: opts.clientSecret, auth: opts.auth, ...(opts.redirectUri ? { redirectUris: opts.redirectUri } : {}) });
  const grants = [];
  for (let i = 0; i < opts.mint; i += 1) grants.push(await peer.mintGrant({ clientId: client.clientId, scope: opts.scope }));
  const endpoints = {
    issuer: peer.issuer,
    discoveryUrl: peer.discoveryUrl,
    tokenEndpoint: peer.tokenEndpoint,
    authorizationEndpoint: peer.authorizationEndpoint,
    deviceAuthorizationEndpoint: peer.deviceAuthorizationEndpoint,
    jwksUri: peer.jwksUri,
    adminUrl: peer.adminUrl,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...endpoints, rotation: opts.rotation, client, grants })}\n`);
  } else {
    const lines = [
      ...Object.entries(endpoints).map(([name, value]) => `${name.padEnd(28)} ${value}`),
      `${'rotation'.padEnd(28)} ${JSON.stringify(opts.rotation)}`,
      `${'client_id'.padEnd(28)} ${client.clientId} (${client.auth})`,
      ...(client.clientSecret ? [`${'client_secret'.padEnd(28)} ${client.clientSecret}`] : []),
      ...(client.privateJwk ? [`${'client private JWK'.padEnd(28)} ${JSON.stringify(client.privateJwk)}`] : []),
      ...grants.map((grant, i) => `${`refresh_token #${i + 1}`.padEnd(28)} ${grant.refreshToken}  (grant ${grant.grantId})`),
      '',
      'Serving until Ctrl-C. Steer it from code with attachOidcPeer(adminUrl).',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  // The peer's child process does not keep this process alive by itself.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`oidc-peer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
