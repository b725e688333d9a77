/** The activities of connect sessions, registered by every credential worker beside the refresh activities. */
import type { ServerDeps } from './authorization-server';
import type { ConnectActivities } from './contracts';
import { createCreateConnectLink, type CreateLinkDeps } from './create-link';
import { createPollDeviceAuthorization, createRequestDeviceAuthorization } from './device-authorization';
import { createExchangeAuthorizationCode } from './exchange-code';
import { createHandOverGrant, type HandOverDeps } from './hand-over';

/** Dependencies of the connect activities. */
export type ConnectActivityDeps = ServerDeps & HandOverDeps & CreateLinkDeps;

/** Builds the connect activity implementations. */
export function createConnectActivities(deps: ConnectActivityDeps): ConnectActivities {
  return {
    exchangeAuthorizationCode: createExchangeAuthorizationCode(deps),
    requestDeviceAuthorization: createRequestDeviceAuthorization(deps),
    pollDeviceAuthorization: createPollDeviceAuthorization(deps),
    handOverGrant: createHandOverGrant(deps),
    createConnectLink: createCreateConnectLink(deps),
  };
}

export type { ConnectActivities } from './contracts';
export type { HandOverClient } from './hand-over';
export type { ConnectLink, CreateConnectLinkInput } from './create-link';
