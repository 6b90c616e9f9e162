/** like Celery's LimitedSet of revoked ids */
export const REVOKED_MEMORY = 50_000;

/** The task ids a worker discards: a set that forgets its oldest id beyond `capacity`. */
export class RevokedIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = REVOKED_MEMORY) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
