/** How the CLI shows pending connect sessions (`describe`, `watch`): one short phrase per session. */
import type { ConnectSessionView } from '../connect/messages';
import { relativeTime } from './output';

/** "link pending (opened 1×), expires in 14m: <url>" or "device code ABCD-EFGH at <uri>, expires in 9m". */
export function connectSummary(view: ConnectSessionView, now = Date.now()): string {
  const expires = `expires ${relativeTime(view.expiresAt, now)}`;
  if (view.mode === 'device') {
    const device = view.device;
    return device ? `device code ${device.userCode} at ${device.verificationUri} (${view.status}), ${expires}` : `device code being requested, ${expires}`;
  }
  const state = view.status === 'pending' ? `link pending (opened ${view.opened}×)` : `link ${view.status.replace('_', ' ')}`;
  return `${state}, ${expires}${view.url && view.status === 'pending' ? `: ${view.url}` : ''}`;
}

/** The `connect` rows of a description table. */
export function connectRows(views: readonly ConnectSessionView[], now = Date.now()): string[][] {
  return views.map((view) => ['connect', connectSummary(view, now)]);
}
