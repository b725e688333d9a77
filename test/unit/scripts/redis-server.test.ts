import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ensureRedisServerBinary, startRedisServer, type RedisServerHandle } from '../../../scripts/redis-server';
import { freePort, isPortOpen } from '../../../src/dev/net';
import { isRedisUp } from '../../../src/service/redis-probe';

jest.setTimeout(60_000);

const log = () => undefined;

describe('startRedisServer', () => {
  let dir: string;
  let port = 0;
  let server: RedisServerHandle | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-redis-'));
    // Installs the Debian package when running as root on a machine without it.
    await ensureRedisServerBinary({ log });
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('isRedisUp is false when nothing listens', async () => {
    expect(await isRedisUp(`redis://127.0.0.1:${await freePort()}`, 500)).toBe(false);
  });

  it('starts a Redis without persistence on a free port', async () => {
    port = await freePort();
    server = await startRedisServer({ port, dir, log });
    expect(server.reused).toBe(false);
    expect(server.url).toBe(`redis://127.0.0.1:${port}`);
    expect(server.pid).toEqual(expect.any(Number));
    expect(await isRedisUp(server.url)).toBe(true);
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      await redis.set('halflife:test', 'x');
      expect(await redis.get('halflife:test')).toBe('x');
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    } finally {
      redis.disconnect();
    }
  });

  it('reuses a Redis that already answers', async () => {
    const again = await startRedisServer({ port, dir, log });
    expect(again.reused).toBe(true);
    expect(again.pid).toBeUndefined();
    await again.stop(); // no-op
    expect(await isRedisUp(again.url)).toBe(true);
  });

  it('stop() ends the server and closes its port', async () => {
    const pid = server!.pid!;
    await server!.stop();
    server = undefined;
    expect(await isPortOpen('127.0.0.1', port, 500)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses a port held by something that is not Redis', async () => {
    const sockets = new Set<net.Socket>();
    const blocker = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    const blockedPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(blockedPort, '127.0.0.1', resolve));
    try {
      await expect(startRedisServer({ port: blockedPort, dir, log })).rejects.toThrow(/not by a Redis/);
    } finally {
      const closed = new Promise((resolve) => blocker.close(resolve));
      sockets.forEach((socket) => socket.destroy());
      await closed;
    }
  });

  it('reports a server that cannot start, with its output', async () => {
    const badPort = await freePort();
    await expect(startRedisServer({ port: badPort, dir, log, redisServer: '/bin/false' })).rejects.toThrow(/exited before it was ready/);
  });
});
