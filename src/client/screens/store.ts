/** A tiny observable: controllers notify, screens re-render. */
export class Observable {
  private readonly listeners = new Set<() => void>();
  private version = 0;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected notify(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  getVersion(): number {
    return this.version;
  }
}
