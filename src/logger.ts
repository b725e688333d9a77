/**
 * The service logger (pino). Known secret fields are redacted wherever they appear, so a careless
 * log call cannot print a refresh token, access token or client secret.
 */
import pino, { type Logger } from 'pino';

/** Field names whose values are never logged. */
export const secretLogFields = [
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'corpsecret',
  'appsecret',
  'apiKey',
  'api_key',
  'authorization',
  'password',
  'key',
];

/** Creates the service logger; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = secretLogFields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);
  return pino(
    {
      level,
      redact: { paths, censor: '[redacted]' },
      base: { service: 'halflife' },
    },
    destination,
  );
}

export type { Logger } from 'pino';
