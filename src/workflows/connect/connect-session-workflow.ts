/**
 * A connect session: one short-lived workflow per connect link or device code, id
 * `connect:<handle>` (see ../../connect/messages.ts). Single use, with an expiry: it accepts one
 * callback (or one device approval) before `expiresAt`, exchanges it for a grant, hands the grant
 * to the credential, and completes with its outcome. This file only wires the handlers
 * (./session-handlers.ts, validators in ./session-decisions.ts) and runs the loop
 * (./session-loop.ts).
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { callbackUpdate, connectSessionQuery, deviceCodeUpdate, openLinkUpdate, type ConnectSessionInput, type ConnectSessionView } from '../../connect/messages';
import { refuseUnlessOpen } from './session-decisions';
import { onCallback, onDeviceCode, onOpenLink } from './session-handlers';
import { runConnectSession } from './session-loop';
import { initialSessionState, sessionView } from './session-state';

/** Runs one connect session to its outcome; returns the session as it ended. */
export async function connectSessionWorkflow(input: ConnectSessionInput): Promise<ConnectSessionView> {
  const state = initialSessionState(input);
  setHandler(connectSessionQuery, () => sessionView(state));
  setHandler(openLinkUpdate, () => onOpenLink(state), { validator: () => refuseUnlessOpen(state, 'link', Date.now()) });
  setHandler(callbackUpdate, (req) => onCallback(state, req), { validator: (_req) => refuseUnlessOpen(state, 'link', Date.now()) });
  setHandler(deviceCodeUpdate, () => onDeviceCode(state), { validator: () => refuseUnlessOpen(state, 'device', Date.now()) });
  await runConnectSession(state);
  state.status = 'done';
  await condition(allHandlersFinished);
  return sessionView(state);
}
