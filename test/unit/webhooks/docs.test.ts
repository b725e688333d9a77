/** docs/webhooks.md documents every event type, every setting and every metric the code has. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { credentialEventTypes, testEventType } from '../../../src/webhooks/event-types';
import { createWebhookMetrics } from '../../../src/webhooks/metrics';
import { webhookVariables } from '../../../src/webhooks/settings';

const doc = readFileSync(path.join(__dirname, '../../../docs/webhooks.md'), 'utf8');

it.each([...credentialEventTypes, testEventType])('lists the event type %s in the events table', (type) => {
  expect(doc).toMatch(new RegExp(`^\\| \`${type.replace('.', '\\.')}\` \\|`, 'm'));
});

it.each(Object.values(webhookVariables))('documents %s', (name) => {
  expect(doc).toContain(`\`${name}\``);
});

it('documents every metric', async () => {
  const m = createWebhookMetrics();
  for (const metric of [m.attempts, m.deliveries, m.duration]) {
    const name = (await metric.get()).name;
    expect(doc).toContain(`\`${name}\``);
  }
});
