/**
 * Tells readers in this process that the file store grew: the file sink reports each write
 * (`app`, `day`, the file's new size), and the outputs and the web page's live tails listen, so
 * they read new lines at once instead of polling for them.
 */

/** A listener: `size` is the day file's size in bytes after the write. */
export type AppendListener = (app: string, day: string, size: number) => void;

export class AppendFeed {
  private listeners: AppendListener[] = [];

  /** Adds a listener. @returns a function that removes it */
  on(fn: AppendListener): () => void {
    this.listeners = [...this.listeners, fn];
    return () => { this.listeners = this.listeners.filter((l) => l !== fn); };
  }

  /** Reports one write to every listener (a listener's error is not the writer's: it is swallowed). */
  emit(app: string, day: string, size: number): void {
    for (const l of this.listeners) {
      try { l(app, day, size); } catch { /* a reader's bug must not fail a store write */ }
    }
  }
}
