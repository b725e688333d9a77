/**
 * Turns a failed connection to Temporal into `TemporalUnreachableError` (CLI exit 7) with a reason in
 * a few words instead of the transport's raw text (`tonic::transport::Error(Transport, ConnectError(...`).
 */
import type { HalflifeConfig } from '../config';
import { TemporalUnreachableError } from '../errors';

/** Known transport failures, by a pattern of their raw message. */
const reasons: ReadonlyArray<readonly [RegExp, string]> = [
  [/connection refused|ECONNREFUSED/i, 'connection refused'],
  [/dns error|failed to lookup address|ENOTFOUND|EAI_AGAIN/i, 'host name not found'],
  [/timed? ?out|deadline/i, 'timed out'],
  [/certificate|tls|ssl|handshake/i, 'TLS handshake failed'],
  [/no route to host|network is unreachable|EHOSTUNREACH|ENETUNREACH/i, 'no route to host'],
  [/GetSystemInfo|grpc-status header missing|HTTP status code/i, 'something answers there, but not a Temporal frontend'],
];

/** A short, one-line reason for a connection failure. */
export function transportReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const known = reasons.find(([pattern]) => pattern.test(message));
  if (known) return known[1];
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'unknown error';
}

/** The error for a failed connection to `address`, with what to do about it in this configuration. */
export function temporalUnreachable(config: Pick<HalflifeConfig, 'temporalAddressGiven'>, address: string, err: unknown): TemporalUnreachableError {
  const hint = config.temporalAddressGiven
    ? 'check TEMPORAL_ADDRESS (and TEMPORAL_TLS, TEMPORAL_API_KEY), or unset it to let `halflife start` run a dev server'
    : 'start the service (npm start) or set TEMPORAL_ADDRESS';
  return new TemporalUnreachableError(address, { cause: err, reason: transportReason(err), hint });
}
