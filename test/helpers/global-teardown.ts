/** Stops what the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<string, unknown>).__halflifeStop as (() => Promise<void>) | undefined;
  await stop?.();
}
