import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerDynamicConfig, mergeDynamicConfig, startDevServer, type DevServerHandle } from '../../../src/dev/dev-server';
import { freePort, isPortOpen } from '../../../src/dev/net';
import { ensureTemporalCli } from '../../../src/dev/temporal-cli';
import { waitFor } from '../../helpers/wait';

jest.setTimeout(60_000);

const log = () => undefined;

/** Custom search attributes registered on `namespace`, name → numeric IndexedValueType. */
async function customAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    return { ...(listed.customAttributes ?? {}) } as Record<string, number>;
  } finally {
    await connection.close();
  }
}

describe('startDevServer', () => {
  let server: DevServerHandle | undefined;
  let port = 0;

  beforeAll(async () => {
    await ensureTemporalCli({ log, build: false, download: false });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('starts an in-memory dev server with its search attributes and Web UI', async () => {
    port = await freePort();
    const uiPort = await freePort();
    server = await startDevServer({ port, uiPort, searchAttributes: { HalflifeDevTestKw: 'Keyword', HalflifeDevTestAt: 'Datetime' }, log });
    expect(server.reused).toBe(false);
    expect(server.address).toBe(`127.0.0.1:${port}`);
    expect(server.namespace).toBe('default');
    expect(server.pid).toEqual(expect.any(Number));
    expect(server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    const attrs = await customAttributes(server.address, 'default');
    expect(attrs.HalflifeDevTestKw).toBe(2); // INDEXED_VALUE_TYPE_KEYWORD
    expect(attrs.HalflifeDevTestAt).toBe(6); // INDEXED_VALUE_TYPE_DATETIME
    const ui = await waitFor('the Web UI', async () => (await fetch(server!.uiUrl!)).ok, { timeoutMs: 30_000, intervalMs: 200 });
    expect(ui).toBe(true);
  });

  it('reuses the running server, adding missing search attributes and namespaces', async () => {
    expect(server).toBeDefined();
    const again = await startDevServer({
      port,
      namespace: 'halflife-dev-test',
      searchAttributes: { HalflifeDevTestKw: 'Keyword', HalflifeDevTestInt: 'Int' },
      log,
    });
    expect(again.reused).toBe(true);
    expect(again.pid).toBeUndefined();
    expect(again.address).toBe(server!.address);
    expect(again.namespace).toBe('halflife-dev-test');
    const attrs = await customAttributes(again.address, 'halflife-dev-test');
    expect(attrs.HalflifeDevTestKw).toBe(2);
    expect(attrs.HalflifeDevTestInt).toBe(3); // INDEXED_VALUE_TYPE_INT
    await again.stop(); // a no-op for a reused server
    expect(await isPortOpen('127.0.0.1', port, 1000)).toBe(true);
  });

  it('refuses a search attribute that exists with another type', async () => {
    await expect(startDevServer({ port, searchAttributes: { HalflifeDevTestKw: 'Int' }, log })).rejects.toThrow(/HalflifeDevTestKw .*Keyword/);
  });

  it('stop() ends the server and closes its port', async () => {
    const pid = server!.pid!;
    await server!.stop();
    server = undefined;
    expect(await isPortOpen('127.0.0.1', port, 1000)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses a port held by something that is not Temporal', async () => {
    const sockets = new Set<net.Socket>();
    const blocker = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.end('not grpc\n');
    });
    const blockedPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(blockedPort, '127.0.0.1', resolve));
    try {
      await expect(startDevServer({ port: blockedPort, uiPort: null, log })).rejects.toThrow(/not by a Temporal frontend/);
    } finally {
      // Half-closed client sockets would keep close() waiting: end them from this side.
      const closed = new Promise((resolve) => blocker.close(resolve));
      sockets.forEach((socket) => socket.destroy());
      await closed;
    }
  });

  it('keeps state in a SQLite file, with a log file and its own namespace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-devdb-'));
    const dbPort = await freePort();
    let handle: DevServerHandle | undefined;
    try {
      handle = await startDevServer({
        port: dbPort,
        uiPort: null,
        dbFilename: path.join(dir, 'state', 'temporal.db'),
        logFile: path.join(dir, 'logs', 'temporal.log'),
        namespace: 'halflife-dev-db',
        searchAttributes: { HalflifeDevTestKw: 'Keyword' },
        log,
      });
      expect(handle.reused).toBe(false);
      expect(handle.uiUrl).toBeUndefined();
      expect(fs.existsSync(path.join(dir, 'state', 'temporal.db'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'logs', 'temporal.log'))).toBe(true);
      expect((await customAttributes(handle.address, 'halflife-dev-db')).HalflifeDevTestKw).toBe(2);
    } finally {
      await handle?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await isPortOpen('127.0.0.1', dbPort, 1000)).toBe(false);
  });
});

describe('mergeDynamicConfig', () => {
  it('keeps the defaults, and a key given again takes the given value', () => {
    expect(mergeDynamicConfig(devServerDynamicConfig, [])).toEqual(['system.enableActivityEagerExecution=true']);
    expect(mergeDynamicConfig(['a.b=1', 'c=true'], ['c=false', 'd="x=y"'])).toEqual(['a.b=1', 'c=false', 'd="x=y"']);
  });
});
