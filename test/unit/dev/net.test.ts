import net from 'node:net';
import { formatAddress, freePort, isPortOpen, waitForPort } from '../../../src/dev/net';

/** Listens on host:port; resolves to the server. */
function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('ports', () => {
  it('freePort gives a port nothing listens on; isPortOpen sees a listener', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortOpen('127.0.0.1', port, 500)).toBe(false);
    const server = await listen(port);
    try {
      expect(await isPortOpen('127.0.0.1', port, 500)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('waitForPort waits until something listens', async () => {
    const port = await freePort();
    let server: net.Server | undefined;
    const timer = setTimeout(() => void listen(port).then((s) => (server = s)), 300);
    try {
      await waitForPort('127.0.0.1', port, 10_000, { intervalMs: 20 });
      expect(await isPortOpen('127.0.0.1', port, 500)).toBe(true);
    } finally {
      clearTimeout(timer);
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
  });

  it('waitForPort gives up at its deadline', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitForPort('127.0.0.1', port, 300, { intervalMs: 20 })).rejects.toThrow(/nothing listens/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('formatAddress brackets IPv6 hosts', () => {
    expect(formatAddress('127.0.0.1', 7233)).toBe('127.0.0.1:7233');
    expect(formatAddress('::1', 7233)).toBe('[::1]:7233');
  });
});
