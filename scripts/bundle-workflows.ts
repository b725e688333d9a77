/**
 * Builds the workflow bundle once, so workers start without running webpack (as the Temporal
 * production sample does): `tsx scripts/bundle-workflows.ts [outFile]`, run by `npm run build`,
 * writes `dist/workflow-bundle.js` from the TypeScript sources in `src/workflows`. The test setup
 * and the benchmarks call `bundleWorkflows` directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Options of {@link bundleWorkflows}. */
export interface BundleWorkflowsOptions {
  /** Module whose exported functions are the workflows. @default `src/workflows` */
  workflowsPath?: string;
  /**
   * Failure converter module baked into the bundle (a worker given a prebuilt bundle ignores its own
   * `failureConverterPath`). `null` for none. @default the project's encoding failure converter (`src/codec/failure-converter`)
   */
  failureConverterPath?: string | null;
  /** Payload converter module baked into the bundle. */
  payloadConverterPath?: string;
  /** Warnings and errors of the bundler. @default stderr */
  log?: (msg: string) => void;
}

/** The project root: this script lives in `<project>/scripts`. */
const projectRoot = path.resolve(__dirname, '..');

/** Where `npm run build` puts the bundle: `<project>/dist/workflow-bundle.js` (where `halflife start` looks for it). */
export function defaultWorkflowBundlePath(): string {
  return path.join(projectRoot, 'dist', 'workflow-bundle.js');
}

/**
 * Bundles the workflows (default `src/workflows`, or the given path) and writes the code to `outFile`
 * (written atomically); resolves to `outFile`.
 */
export async function bundleWorkflows(outFile: string = defaultWorkflowBundlePath(), options: string | BundleWorkflowsOptions = {}): Promise<string> {
  const opts: BundleWorkflowsOptions = typeof options === 'string' ? { workflowsPath: options } : options;
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const failureConverterPath =
    opts.failureConverterPath === null ? undefined : (opts.failureConverterPath ?? require.resolve(path.join(projectRoot, 'src', 'codec', 'failure-converter')));
  const report = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (level === 'WARN' || level === 'ERROR') log(`[workflow bundle] ${message}${meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : ''}`);
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath: opts.workflowsPath ?? require.resolve(path.join(projectRoot, 'src', 'workflows')),
    ...(opts.workflowsPath ? {} : { workflowInterceptorModules: [require.resolve(path.join(projectRoot, 'src', 'workflows', 'activation-guard'))] }),
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
