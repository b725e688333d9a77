/** At most one call per key at a time in this process; concurrent callers share its outcome. */
export class SingleFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  /** True while a call with `key` is under way. */
  has(key: string): boolean {
    return this.running.has(key);
  }

  /** Runs `call` unless a call with `key` is under way, whose promise is then returned instead. */
  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.running.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = call().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
