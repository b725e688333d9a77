/** The registry's pure state: subscriptions, rotation, health from delivery reports, and plain JSON throughout. */
import { addSubscription, applyReports, deliveriesKept, enable, foreignHealthKept, initialRegistryState, listing, removeSubscription, rotateSecret, targets, validateAdd } from '../../../src/workflows/webhooks/registry-state';
import type { DeliveryRecord, RegistryState, WebhookSubscription } from '../../../src/webhooks/messages';

const sub = (id: string): WebhookSubscription => ({ id, url: 'https://hooks.example/x', events: ['*'], credentials: '*', secrets: [{ secret: `whsec_${id}`, createdAt: 1 }], createdAt: 1, source: 'api' });
const record = (eventId: string, status: DeliveryRecord['status'], extra: Partial<DeliveryRecord> = {}): DeliveryRecord => ({ eventId, type: 'credential.rotated', status, attempts: 1, firstAttemptAt: 10, lastAttemptAt: 20, ...extra });

function withOne(): RegistryState {
  const state = initialRegistryState();
  addSubscription(state, sub('wh_a'), 100);
  return state;
}

describe('subscriptions', () => {
  it('adds, lists without secrets, refuses a taken id, removes', () => {
    const state = withOne();
    expect(() => validateAdd(state, sub('wh_a'))).toThrow(/exists already/);
    expect(() => validateAdd(state, { ...sub('wh_b'), secrets: [] })).toThrow(/one or two secrets/);
    const shown = listing(state, 200);
    expect(shown.subscriptions).toEqual([expect.objectContaining({ id: 'wh_a', activeSecrets: 1, health: expect.objectContaining({ state: 'active' }) })]);
    expect(JSON.stringify(shown)).not.toContain('whsec_');
    expect(targets(state, 200).targets[0]?.subscription.secrets[0]?.secret).toBe('whsec_wh_a');
    expect(removeSubscription(state, 'wh_a', 300).id).toBe('wh_a');
    expect(state.subscriptions).toEqual([]);
    expect(() => removeSubscription(state, 'wh_a', 300)).toThrow(/not found/);
  });

  it('rotation keeps the previous secret signing for keepPreviousMs, then only the new one', () => {
    const state = withOne();
    const view = rotateSecret(state, { id: 'wh_a', secret: 'whsec_new', keepPreviousMs: 1_000 }, 500);
    expect(view).toMatchObject({ activeSecrets: 2, previousSecretExpiresAt: 1_500 });
    expect(state.subscriptions[0]?.secrets).toEqual([{ secret: 'whsec_new', createdAt: 500 }, { secret: 'whsec_wh_a', createdAt: 1, expiresAt: 1_500 }]);
    expect(listing(state, 1_500).subscriptions[0]?.activeSecrets).toBe(1);
    rotateSecret(state, { id: 'wh_a', secret: 'whsec_third', keepPreviousMs: 0 }, 600);
    expect(state.subscriptions[0]?.secrets).toEqual([{ secret: 'whsec_third', createdAt: 600 }]);
  });
});

describe('health from reports', () => {
  it('a record replaces the same event, newest first; counts once; failed → failing, delivered → active, gone → disabled (until enabled)', () => {
    const state = withOne();
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e1', 'retrying', { lastError: 'HTTP 503' }) }], 1_000);
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e1', 'failed', { attempts: 9, lastError: 'HTTP 503' }) }], 1_001);
    expect(state.health.wh_a).toMatchObject({ state: 'failing', since: 1_001, failed: 1, reason: 'delivery of e1 failed: HTTP 503', deliveries: [{ eventId: 'e1', status: 'failed', attempts: 9 }] });
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e2', 'delivered') }, { subscriptionId: 'wh_a', record: record('e2', 'delivered') }], 1_002);
    expect(state.health.wh_a).toMatchObject({ state: 'active', delivered: 1, lastDeliveredAt: 20 });
    expect(state.health.wh_a?.reason).toBeUndefined();
    expect(state.health.wh_a?.deliveries.map((d) => d.eventId)).toEqual(['e2', 'e1']);
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e3', 'gone', { httpStatus: 410 }) }], 1_003);
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e4', 'delivered') }], 1_004);
    expect(state.health.wh_a?.state).toBe('disabled');
    expect(enable(state, 'wh_a', 1_005)).toMatchObject({ state: 'active', since: 1_005 });
  });

  it('a test never moves the state; deliveries are bounded; foreign (configured) ids are kept, the oldest pruned', () => {
    const state = withOne();
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('t', 'gone', { test: true }) }], 1);
    expect(state.health.wh_a?.state).toBe('active');
    applyReports(state, Array.from({ length: deliveriesKept + 5 }, (_, i) => ({ subscriptionId: 'wh_a', record: record(`e${i}`, 'delivered') })), 2);
    expect(state.health.wh_a?.deliveries).toHaveLength(deliveriesKept);
    applyReports(state, Array.from({ length: foreignHealthKept + 3 }, (_, i) => ({ subscriptionId: `cfg-${i}`, record: record('x', 'delivered', { lastAttemptAt: i }) })), 3);
    expect(Object.keys(state.health)).toHaveLength(foreignHealthKept + 1);
    expect(state.health['cfg-0']).toBeUndefined();
    expect(state.health.wh_a).toBeDefined();
    expect(targets(state, 4).states['cfg-5']).toBe('active');
  });

  it('is plain JSON (it survives continue-as-new)', () => {
    const state = withOne();
    rotateSecret(state, { id: 'wh_a', secret: 'whsec_new', keepPreviousMs: 10 }, 5);
    applyReports(state, [{ subscriptionId: 'wh_a', record: record('e', 'failed') }], 6);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
