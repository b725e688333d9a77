/** HALFLIFE_WEBHOOKS and the retry variables: parsed once, errors naming the variable and the entry's field, never a secret. */
import { loadConfig } from '../../../src/config';
import { defaultEgressPolicy } from '../../../src/egress';
import { configuredWebhookId, parseConfiguredWebhooks } from '../../../src/webhooks/subscription-input';
import { webhookSettingsFromEnv } from '../../../src/webhooks/settings';
import { defaultDeliveryPolicy } from '../../../src/webhooks/retry-schedule';

const policy = defaultEgressPolicy({});
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const isolated = { HALFLIFE_STATE_DIR: '/tmp/halflife-settings-test' };

function fieldOf(fn: () => unknown): { field: string; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { field: string; reason: string; message: string };
  }
  throw new Error('nothing was thrown');
}

describe('HALFLIFE_WEBHOOKS', () => {
  it('parses entries: ids given or derived from the URL, default events and glob, one or two secrets', () => {
    const subs = parseConfiguredWebhooks(JSON.stringify([
      { url: 'https://hooks.example/a', secret },
      { id: 'pager', url: 'https://hooks.example/b', events: ['*'], credentials: 'billing-*', secrets: [secret, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] },
    ]), policy);
    expect(subs).toEqual([
      expect.objectContaining({ id: configuredWebhookId('https://hooks.example/a'), source: 'config', credentials: '*', events: expect.not.arrayContaining(['credential.rotated']) }),
      expect.objectContaining({ id: 'pager', events: ['*'], credentials: 'billing-*', secrets: [{ secret, createdAt: 0 }, { secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', createdAt: 0 }] }),
    ]);
    expect(subs[0]?.id).toMatch(/^cfg-[0-9a-f]{10}$/);
  });

  it.each([
    ['not json', 'HALFLIFE_WEBHOOKS', /not valid JSON/],
    ['{}', 'HALFLIFE_WEBHOOKS', /list/],
    ['[1]', 'HALFLIFE_WEBHOOKS[0]', /object/],
    [JSON.stringify([{ url: 'https://hooks.example/a' }]), 'HALFLIFE_WEBHOOKS[0].secret', /required/],
    [JSON.stringify([{ url: 'https://hooks.example/a', secret: 'whsec_bad' }]), 'HALFLIFE_WEBHOOKS[0].secret', /base64/],
    [JSON.stringify([{ url: 'https://hooks.example/a', secrets: [secret, secret, secret] }]), 'HALFLIFE_WEBHOOKS[0].secrets', /one or two/],
    [JSON.stringify([{ url: 'https://hooks.example/a', secret, events: ['x'] }]), 'HALFLIFE_WEBHOOKS[0].events[0]', /unknown event type/],
    [JSON.stringify([{ url: 'https://metadata.google.internal/', secret }]), 'HALFLIFE_WEBHOOKS[0].url', /metadata/],
    [JSON.stringify([{ id: 'wh_x', url: 'https://hooks.example/a', secret }]), 'HALFLIFE_WEBHOOKS[0].id', /wh_/],
    [JSON.stringify([{ url: 'https://hooks.example/a', secret }, { url: 'https://hooks.example/a', secret }]), 'HALFLIFE_WEBHOOKS[1].id', /same url/],
  ])('%s → %s', (json, field, reason) => {
    const err = fieldOf(() => parseConfiguredWebhooks(json, policy));
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
    expect(err.message).not.toContain(secret);
  });
});

describe('the environment', () => {
  it('defaults: no subscriptions, the default policy; loadConfig leaves webhooks unset without any variable', () => {
    expect(webhookSettingsFromEnv({}, policy)).toEqual({ subscriptions: [], policy: defaultDeliveryPolicy });
    expect(loadConfig({ ...isolated }).webhooks).toBeUndefined();
  });

  it('reads the retry variables in seconds and the subscriptions from a file', () => {
    const settings = webhookSettingsFromEnv(
      { HALFLIFE_WEBHOOKS_FILE: '/etc/hooks.json', HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.5', HALFLIFE_WEBHOOK_RETRY_MAX_S: '60', HALFLIFE_WEBHOOK_GIVE_UP_S: '7200', HALFLIFE_WEBHOOK_TIMEOUT_S: '5' },
      policy,
      () => JSON.stringify([{ url: 'https://hooks.example/a', secret }]),
    );
    expect(settings.policy).toEqual({ ...defaultDeliveryPolicy, initialIntervalMs: 500, maxIntervalMs: 60_000, giveUpAfterMs: 7_200_000, requestTimeoutMs: 5_000 });
    expect(settings.subscriptions).toHaveLength(1);
    expect(loadConfig({ ...isolated, HALFLIFE_WEBHOOKS: JSON.stringify([{ url: 'https://hooks.example/a', secret }]) }).webhooks?.subscriptions).toHaveLength(1);
  });

  it.each([
    [{ HALFLIFE_WEBHOOKS: '[]', HALFLIFE_WEBHOOKS_FILE: '/x' }, 'HALFLIFE_WEBHOOKS_FILE'],
    [{ HALFLIFE_WEBHOOK_RETRY_MAX_S: 'soon' }, 'HALFLIFE_WEBHOOK_RETRY_MAX_S'],
    [{ HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '10', HALFLIFE_WEBHOOK_RETRY_MAX_S: '5' }, 'HALFLIFE_WEBHOOK_RETRY_MAX_S'],
    [{ HALFLIFE_WEBHOOK_GIVE_UP_S: '0' }, 'HALFLIFE_WEBHOOK_GIVE_UP_S'],
    [{ HALFLIFE_WEBHOOKS_FILE: '/nonexistent/hooks.json' }, 'HALFLIFE_WEBHOOKS_FILE'],
  ])('%j is refused naming %s', (env, field) => {
    expect(fieldOf(() => loadConfig({ ...isolated, ...env })).field).toBe(field);
  });
});
