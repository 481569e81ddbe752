import type { DataSource } from 'typeorm';
import { latestReadyModelId, loadModel, type LoadedModel } from './model.repository';

/**
 * Keeps the newest ready model in memory. Loading is shared by concurrent callers, and a newer
 * READY model replaces the old one the next time it is asked for.
 */
export class ModelCache {
  private current: LoadedModel | null = null;
  private loading: Promise<LoadedModel> | null = null;

  constructor(private readonly ds: DataSource) {}

  /** The newest ready model, or null when none has been built yet. */
  async latest(): Promise<LoadedModel | null> {
    const id = await latestReadyModelId(this.ds);
    if (!id) return null;
    if (this.current?.id === id) return this.current;
    if (!this.loading) {
      this.loading = loadModel(this.ds, id)
        .then((m) => {
          this.current = m;
          return m;
        })
        .finally(() => {
          this.loading = null;
        });
    }
    return this.loading;
  }
}
