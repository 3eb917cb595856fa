/** Callers waiting for tasks to finish, by task id; each wait also ends after its own timeout. */
export class TaskWaiters {
  private readonly byId = new Map<string, Set<() => void>>();

  /** Resolves when `release(id)` is called or after `timeoutMs`, whichever comes first. */
  wait(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.byId.get(id);
      if (!waiters) this.byId.set(id, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        const set = this.byId.get(id);
        set?.delete(done);
        if (set?.size === 0) this.byId.delete(id);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  release(id: string): void {
    const waiters = this.byId.get(id);
    if (!waiters) return;
    for (const done of [...waiters]) done();
  }
}
