/**
 * `halflife start` as users run it: its own dev server, Web UI and API on the ports the
 * environment names (HALFLIFE_TEMPORAL_PORT, HALFLIFE_UI_PORT, HALFLIFE_API_PORT), the codec
 * endpoint open to that UI's origin, a private state folder, other commands finding the dev server
 * by the same port, and a clean stop on SIGINT. A TEMPORAL_ADDRESS that points at nothing is one
 * line and exit 7.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen } from '../../src/dev/net';
import { stateFiles } from '../../src/state-folder';
import { runCli, spawnCli, waitForCliOutput } from '../helpers/cli-process';
import { exited } from '../helpers/worker-process';

describe('halflife start', () => {
  let stateDir: string;
  const savedAddress = process.env.TEMPORAL_ADDRESS;

  beforeAll(() => {
    // Without TEMPORAL_ADDRESS, `start` runs its own dev server; the children inherit this environment.
    delete process.env.TEMPORAL_ADDRESS;
  });

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-start-'));
  });

  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  afterAll(() => {
    if (savedAddress !== undefined) process.env.TEMPORAL_ADDRESS = savedAddress;
  });

  it('runs the dev server, Web UI and API on the ports from the environment, and stops on SIGINT', async () => {
    const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      HALFLIFE_TEMPORAL_PORT: String(temporalPort),
      HALFLIFE_UI_PORT: String(uiPort),
      HALFLIFE_API_PORT: String(apiPort),
      HALFLIFE_STATE_DIR: stateDir,
      HALFLIFE_TASK_QUEUE: `tq-start-${process.pid}`,
      HALFLIFE_LOG_FORMAT: 'json',
    };
    const child = spawnCli(['start'], env);
    try {
      await waitForCliOutput(child, 'halflife is running', 110_000);
      expect(await isPortOpen('127.0.0.1', temporalPort)).toBe(true);
      expect(child.output().stdout).toContain(`Web UI: http://127.0.0.1:${uiPort}/namespaces/default/workflows`);
      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);

      const api = `http://127.0.0.1:${apiPort}`;
      expect((await fetch(`${api}/healthz`)).status).toBe(200);
      // The codec endpoint admits the UI on its configured port, on both loopback names, and nothing else.
      const preflight = (origin: string) =>
        fetch(`${api}/codec/decode`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
      for (const origin of [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`]) {
        expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);
      }
      expect((await preflight('http://localhost:8233')).headers.get('access-control-allow-origin')).toBeNull();

      // Every file in the state folder is private, including the ones the dev server wrote.
      expect(fs.statSync(stateDir).mode & 0o777).toBe(0o700);
      const files = fs.readdirSync(stateDir);
      expect(files).toEqual(expect.arrayContaining([stateFiles.encryptionKeys, stateFiles.apiKey, stateFiles.temporalDb, stateFiles.temporalLog]));
      for (const name of files) expect([name, fs.statSync(path.join(stateDir, name)).mode & 0o777]).toEqual([name, 0o600]);

      // Another command finds the dev server by the same HALFLIFE_TEMPORAL_PORT (no TEMPORAL_ADDRESS).
      const listed = await runCli(['--json', 'list'], env);
      expect(listed).toMatchObject({ code: 0 });
    } finally {
      child.kill('SIGINT');
      await exited(child);
    }
    expect(child.exitCode).toBe(0);
    expect(child.output().stdout).toContain('"msg":"stopped"');
    expect(await isPortOpen('127.0.0.1', apiPort, 500)).toBe(false);
    expect(await isPortOpen('127.0.0.1', temporalPort, 500)).toBe(false);
  });

  it('exits 7 with a one-line reason when TEMPORAL_ADDRESS points at nothing', async () => {
    const port = await freePort();
    const result = await runCli(['start'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, HALFLIFE_STATE_DIR: stateDir, HALFLIFE_API_PORT: String(await freePort()) });
    expect(result.code).toBe(7);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`halflife: cannot reach Temporal at 127.0.0.1:${port} (connection refused): check TEMPORAL_ADDRESS`)]);
  });

  it('exits 2 naming the variable when a port is not a port', async () => {
    const result = await runCli(['start'], { HALFLIFE_UI_PORT: '70000', HALFLIFE_STATE_DIR: stateDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HALFLIFE_UI_PORT: must be a port number');
  });
});
