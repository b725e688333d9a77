/** Reads the JSON documents CLI commands take (a file, or `-` for stdin), with errors naming the source. */
import fs from 'node:fs';
import { InvalidConfigError } from '../errors';

/** Reads all of stdin. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses the JSON object in `source` (a path, or `-` for stdin); `option` names the flag in errors. */
export async function readJsonObject(source: string, option: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = source === '-' ? await readStdin() : fs.readFileSync(source, 'utf8');
  } catch (err) {
    throw new InvalidConfigError(option, `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidConfigError(option, `${source === '-' ? 'stdin' : source} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(option, `${source === '-' ? 'stdin' : source} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}
