/**
 * The state of one connect session, as plain JSON, and what a query shows of it (never the code,
 * the verifier, the device code or a token). The decisions over it are ./session-decisions.ts.
 */
import type { DeviceAuthorization, ObtainedGrant } from '../../activities/connect/contracts';
import type { CallbackRequest, ConnectOutcome, ConnectSessionInput, ConnectSessionView, ConnectStatus } from '../../connect/messages';

/** The whole state of a connect session workflow. */
export interface ConnectSessionState {
  input: ConnectSessionInput;
  status: ConnectStatus;
  /** When the session stops accepting the callback (a device code's own expiry may bring it forward). */
  expiresAt: number;
  opened: number;
  openedAt?: number;
  /** The provider's answer at the callback (holds the code). */
  callback?: CallbackRequest;
  /** Device mode: the server's device authorization (holds the device code). */
  device?: DeviceAuthorization;
  /** The grant obtained, until it is handed to the credential. */
  grant?: ObtainedGrant & { refreshToken: string };
  outcome?: ConnectOutcome;
}

/** The state a session starts from. */
export function initialSessionState(input: ConnectSessionInput): ConnectSessionState {
  return { input, status: 'pending', expiresAt: input.expiresAt, opened: 0 };
}

/** What queries show. */
export function sessionView(state: ConnectSessionState): ConnectSessionView {
  const { input, device, outcome } = state;
  return {
    handle: input.handle,
    credentialId: input.credentialId,
    mode: input.mode,
    status: state.status,
    createdAt: input.createdAt,
    expiresAt: state.expiresAt,
    opened: state.opened,
    ...(state.openedAt !== undefined ? { openedAt: state.openedAt } : {}),
    ...(input.url && !outcome ? { url: input.url } : {}),
    ...(device
      ? {
          device: {
            userCode: device.userCode,
            verificationUri: device.verificationUri,
            ...(device.verificationUriComplete ? { verificationUriComplete: device.verificationUriComplete } : {}),
            intervalS: device.intervalS,
            expiresAt: device.expiresAt,
          },
        }
      : {}),
    ...(outcome ? { outcome } : {}),
    ...(input.profile.preset ? { preset: input.profile.preset } : {}),
  };
}
