/**
 * Builds the workflow bundle once, so workers start without running webpack:
 * `node dist/dev/bundle-workflows.js [outFile]` writes `dist/workflow-bundle.js`.
 * Works from TypeScript sources too (tsx, jest), where `../workflows` is `src/workflows/index.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Options of {@link bundleWorkflows}. */
export interface BundleWorkflowsOptions {
  /** Module whose exported functions are the workflows. @default require.resolve('../workflows') */
  workflowsPath?: string;
  /**
   * Failure converter module baked into the bundle (a worker given a prebuilt bundle ignores its own
   * `failureConverterPath`). `null` for none. @default the project's codec failure converter, when present
   */
  failureConverterPath?: string | null;
  /** Payload converter module baked into the bundle. */
  payloadConverterPath?: string;
  /** Warnings and errors of the bundler. @default stderr */
  log?: (msg: string) => void;
}

/** The project root (the folder with package.json above this file, whether in src/ or dist/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
  return dir;
}

/** Where `npm run build` puts the bundle: `<project>/dist/workflow-bundle.js`. */
export function defaultWorkflowBundlePath(): string {
  return path.join(projectRoot(), 'dist', 'workflow-bundle.js');
}

/** The project's failure converter module, if it exists next to this file (`../codec/failure-converter`). */
function projectFailureConverter(): string | undefined {
  try {
    return require.resolve('../codec/failure-converter');
  } catch {
    return undefined;
  }
}

/**
 * Bundles the workflows (default `../workflows`, or the given path) and writes the code to `outFile`
 * (written atomically); resolves to `outFile`.
 */
export async function bundleWorkflows(outFile: string = defaultWorkflowBundlePath(), options: string | BundleWorkflowsOptions = {}): Promise<string> {
  const opts: BundleWorkflowsOptions = typeof options === 'string' ? { workflowsPath: options } : options;
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const failureConverterPath = opts.failureConverterPath === null ? undefined : (opts.failureConverterPath ?? projectFailureConverter());
  const report = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (level === 'WARN' || level === 'ERROR') log(`[workflow bundle] ${message}${meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : ''}`);
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath: opts.workflowsPath ?? require.resolve('../workflows'),
    ...(failureConverterPath ? { failureConverterPath } : {}),
    ...(opts.payloadConverterPath ? { payloadConverterPath: opts.payloadConverterPath } : {}),
    logger: {
      log: report,
      trace: (m, meta) => report('TRACE', m, meta),
      debug: (m, meta) => report('DEBUG', m, meta),
      info: (m, meta) => report('INFO', m, meta),
      warn: (m, meta) => report('WARN', m, meta),
      error: (m, meta) => report('ERROR', m, meta),
    },
  });
  const target = path.resolve(outFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, code);
  fs.renameSync(temp, target);
  return target;
}

if (require.main === module) {
  const outFile = process.argv[2] ?? defaultWorkflowBundlePath();
  bundleWorkflows(outFile).then(
    (file) => {
      const relative = path.relative(process.cwd(), file);
      process.stdout.write(`workflow bundle written to ${relative.startsWith('..') ? file : relative}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`bundling the workflows failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
