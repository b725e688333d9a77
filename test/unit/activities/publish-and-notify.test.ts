import { createPublishAndNotify } from '../../../src/activities/publish-and-notify';
import type { NotifyCredentialInput, PublishAndNotifyInput, PublishCredentialInput } from '../../../src/activities/contracts';

const input: PublishAndNotifyInput = {
  publication: { credentialId: 'c1', event: 'rotated', record: { accessToken: 'at-secret-1', version: 2, revision: 5, status: 'active', generation: 1 } },
  notification: { credentialId: 'c1', events: [{ id: 'c1:1:5:credential.rotated', type: 'credential.rotated', credentialId: 'c1', at: 1, status: 'active', version: 2 }] },
};

describe('publishAndNotify', () => {
  it('runs both parts, concurrently, with their own inputs', async () => {
    const order: string[] = [];
    let releasePublish!: () => void;
    const published: PublishCredentialInput[] = [];
    const notified: NotifyCredentialInput[] = [];
    const run = createPublishAndNotify(
      (i) => new Promise((resolve) => { published.push(i); order.push('publish started'); releasePublish = () => resolve('written'); }),
      async (i) => { notified.push(i); order.push('notify started'); releasePublish(); return 'handed_off'; },
    );
    await expect(run(input)).resolves.toEqual({ published: 'written', notified: 'handed_off' });
    expect(order).toEqual(['publish started', 'notify started']);
    expect(published).toEqual([input.publication]);
    expect(notified).toEqual([input.notification]);
  });

  it('answers a part that threw as failed, keeps the other, and logs why without the token', async () => {
    const warnings: { message: string; meta: Record<string, unknown> }[] = [];
    const run = createPublishAndNotify(
      async () => { throw new Error('redis said no to at-secret-1'); },
      async () => 'off',
      (message, meta) => warnings.push({ message, meta }),
    );
    await expect(run(input)).resolves.toEqual({ published: 'failed', notified: 'off' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('publishing to Redis failed');
    expect(JSON.stringify(warnings)).not.toContain('at-secret-1');
    expect(warnings[0]!.meta).toMatchObject({ credentialId: 'c1', error: 'Error' });

    const other = createPublishAndNotify(async () => 'stale', async () => { throw new TypeError('temporal unreachable'); }, (message, meta) => warnings.push({ message, meta }));
    await expect(other(input)).resolves.toEqual({ published: 'stale', notified: 'failed' });
    expect(warnings[1]).toMatchObject({ message: 'handing lifecycle events to the notifier failed', meta: { error: 'TypeError', message: 'temporal unreachable' } });
  });
});
