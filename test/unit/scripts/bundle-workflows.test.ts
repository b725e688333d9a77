import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows, defaultWorkflowBundlePath } from '../../../scripts/bundle-workflows';

jest.setTimeout(60_000);

describe('bundleWorkflows', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-bundle-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bundles a workflow module into one file', async () => {
    const outFile = path.join(dir, 'nested', 'bundle.js');
    const written = await bundleWorkflows(outFile, path.join(__dirname, 'fixtures', 'tiny-workflows.ts'));
    expect(written).toBe(outFile);
    const code = fs.readFileSync(outFile, 'utf8');
    expect(code).toContain('tinyGreeting');
    expect(code).toContain('__TEMPORAL__');
    expect(fs.readdirSync(path.dirname(outFile))).toEqual(['bundle.js']); // no temp file left
  });

  it('bakes a failure converter into the bundle when given one', async () => {
    const outFile = path.join(dir, 'with-converter.js');
    await bundleWorkflows(outFile, {
      workflowsPath: path.join(__dirname, 'fixtures', 'tiny-workflows.ts'),
      failureConverterPath: path.join(__dirname, 'fixtures', 'tiny-failure-converter.ts'),
    });
    expect(fs.readFileSync(outFile, 'utf8')).toContain('tiny-failure-converter');
  });

  it('defaults to dist/workflow-bundle.js in the project', () => {
    expect(defaultWorkflowBundlePath()).toBe(path.resolve(__dirname, '..', '..', '..', 'dist', 'workflow-bundle.js'));
  });
});
