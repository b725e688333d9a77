/**
 * The connect session's update handlers: each changes the state and then only waits (the main
 * loop, ./session-loop.ts, issues every command). Validators (./session-state.ts) have already
 * refused requests to a session that is closed.
 */
import { condition } from '@temporalio/workflow';
import type { CallbackRequest, ConnectOutcome, ConnectSessionView } from '../../connect/messages';
import { sessionView, type ConnectSessionState } from './session-state';

/** `openLink`: counts the opening and answers where the link redirects. */
export function onOpenLink(state: ConnectSessionState): { authorizationUrl: string } {
  state.opened++;
  state.openedAt = Date.now();
  return { authorizationUrl: state.input.authorizationUrl ?? '' };
}

/** `callback`: hands the provider's answer to the main loop and waits for the session's outcome. */
export async function onCallback(state: ConnectSessionState, req: CallbackRequest): Promise<ConnectOutcome> {
  state.callback = { ...req };
  state.status = 'exchanging';
  await condition(() => state.outcome !== undefined);
  return state.outcome as ConnectOutcome;
}

/** `deviceCode`: waits until the device code is known or the session ended. */
export async function onDeviceCode(state: ConnectSessionState): Promise<ConnectSessionView> {
  await condition(() => state.device !== undefined || state.outcome !== undefined);
  return sessionView(state);
}
