/**
 * The connect routes' answers in the API's snake_case shapes, with instants as ISO 8601 strings:
 * a session just created, and a session as `describe` and `GET .../connect` list it.
 */
import { z } from 'zod';
import type { CreatedSession } from '../connect/connect-client';
import type { ConnectOutcome, ConnectSessionView, DeviceView } from '../connect/messages';

const iso = (ms: number) => new Date(ms).toISOString();
const instant = z.string().describe('ISO 8601');

const deviceSchema = z.object({
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string().optional(),
  interval_s: z.number().int(),
  expires_at: instant,
});

/** An outcome: how a session ended. */
export const outcomeResponseSchema = z.object({
  result: z.enum(['connected', 'denied', 'expired', 'no_refresh_token', 'exchange_failed', 'handover_failed']),
  code: z.string(),
  message: z.string(),
  at: instant,
  registration: z.enum(['created', 'replaced', 'unchanged']).optional(),
  version: z.number().int().optional(),
});

/** Answer of `POST /v1/credentials/{id}/connect`. */
export const createdSessionResponseSchema = z.object({
  url: z.string().optional().describe('link mode: the one-time link to open (a capability: whoever holds it can complete the connection)'),
  session: z.string().describe('the session token (the last part of `url`)'),
  expires_at: instant,
  mode: z.enum(['link', 'device']),
  device: deviceSchema.optional().describe('device mode: what the person enters at verification_uri'),
  outcome: outcomeResponseSchema.optional(),
});

/** A pending session. */
export const sessionResponseSchema = z.object({
  mode: z.enum(['link', 'device']),
  status: z.enum(['pending', 'exchanging', 'polling', 'handing_over', 'done']),
  created_at: instant,
  expires_at: instant,
  opened: z.number().int(),
  url: z.string().optional(),
  device: deviceSchema.optional(),
  preset: z.string().optional(),
  outcome: outcomeResponseSchema.optional(),
});

function deviceResponse(device: DeviceView) {
  return {
    user_code: device.userCode,
    verification_uri: device.verificationUri,
    ...(device.verificationUriComplete ? { verification_uri_complete: device.verificationUriComplete } : {}),
    interval_s: device.intervalS,
    expires_at: iso(device.expiresAt),
  };
}

/** An outcome in snake_case. */
export function outcomeResponse(outcome: ConnectOutcome) {
  return {
    result: outcome.result,
    code: outcome.code,
    message: outcome.message,
    at: iso(outcome.at),
    ...(outcome.registration ? { registration: outcome.registration } : {}),
    ...(outcome.version !== undefined ? { version: outcome.version } : {}),
  };
}

/** Answer of `POST /v1/credentials/{id}/connect` (201). */
export function createdSessionResponse(created: CreatedSession) {
  const device = created.view?.device;
  return {
    ...(created.url ? { url: created.url } : {}),
    session: created.session,
    expires_at: iso(created.view?.expiresAt ?? created.expiresAt),
    mode: created.mode,
    ...(device ? { device: deviceResponse(device) } : {}),
    ...(created.view?.outcome ? { outcome: outcomeResponse(created.view.outcome) } : {}),
  };
}

/** A pending session, as `describe` (`connect`) and `GET /v1/credentials/{id}/connect` show it. */
export function sessionResponse(view: ConnectSessionView) {
  return {
    mode: view.mode,
    status: view.status,
    created_at: iso(view.createdAt),
    expires_at: iso(view.expiresAt),
    opened: view.opened,
    ...(view.url ? { url: view.url } : {}),
    ...(view.device ? { device: deviceResponse(view.device) } : {}),
    ...(view.preset ? { preset: view.preset } : {}),
    ...(view.outcome ? { outcome: outcomeResponse(view.outcome) } : {}),
  };
}
