/**
 * Fixed-size selection of the best (score, id) pairs, where better means a higher score and,
 * on equal scores, a lower id. A min-heap keyed on "worse" keeps the weakest kept pair at the
 * root, so each offer costs O(log k) and nothing is allocated after construction.
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.ids = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.size = 0;
  }

  offer(id: number, score: number): void {
    if (this.size < this.capacity) {
      this.siftUp(this.size++, id, score);
    } else if (this.capacity > 0 && worse(this.ids[0], this.scores[0], id, score)) {
      this.siftDown(0, id, score, this.size);
    }
  }

  /**
   * Writes the kept pairs best first into `ids` and `scores` (from the start of typed arrays,
   * appended to plain arrays), empties the selection and returns how many there were. Heap-sorts
   * in place: moving the worst pair to the end each time leaves the best at the front.
   */
  drain(ids: number[] | Int32Array, scores: number[] | Float64Array | Float32Array): number {
    const count = this.size;
    for (let end = count - 1; end > 0; end--) {
      const id = this.ids[end];
      const score = this.scores[end];
      this.ids[end] = this.ids[0];
      this.scores[end] = this.scores[0];
      this.siftDown(0, id, score, end);
    }
    const base = Array.isArray(ids) ? ids.length : 0;
    for (let n = 0; n < count; n++) {
      ids[base + n] = this.ids[n];
      scores[base + n] = this.scores[n];
    }
    this.size = 0;
    return count;
  }

  /**
   * Writes the kept ids, in no particular order, from the start of `ids`, empties the selection
   * and returns how many there were; cheaper than `drain` when only membership matters.
   */
  takeIds(ids: Int32Array): number {
    const count = this.size;
    ids.set(this.ids.subarray(0, count));
    this.size = 0;
    return count;
  }

  private siftUp(at: number, id: number, score: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!worse(id, score, this.ids[parent], this.scores[parent])) break;
      this.ids[at] = this.ids[parent];
      this.scores[at] = this.scores[parent];
      at = parent;
    }
    this.ids[at] = id;
    this.scores[at] = score;
  }

  private siftDown(at: number, id: number, score: number, size: number): void {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const rightIsWorse =
        right < size &&
        worse(this.ids[right], this.scores[right], this.ids[left], this.scores[left]);
      const child = rightIsWorse ? right : left;
      if (!worse(this.ids[child], this.scores[child], id, score)) break;
      this.ids[at] = this.ids[child];
      this.scores[at] = this.scores[child];
      at = child;
    }
    this.ids[at] = id;
    this.scores[at] = score;
  }
}

function worse(idA: number, scoreA: number, idB: number, scoreB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && idA > idB);
}
