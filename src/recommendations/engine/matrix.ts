import { RecommendationEngineError, RecommendationErrorCode } from './errors';
import { decayedSignal, type SignalOptions } from './signals';
import type { InteractionMatrix, ItemActivity, SparseRows } from './types';

/** Options for `buildInteractionMatrix`. */
export interface InteractionMatrixOptions extends SignalOptions {
  customerCount: number;
  itemCount: number;
  /** Epoch ms the decay is measured from, normally the start of the rebuild. */
  now: number;
  /**
   * Half-life of co-activity in days. Long by default: who-borrowed-what-together stays true for
   * years, and recency is applied per customer at serving time instead.
   */
  halfLifeDays?: number;
}

/** Default co-activity half-life: tastes shift slowly across a whole library. */
export const DEFAULT_MATRIX_HALF_LIFE_DAYS = 730;

/**
 * Aggregates ledger entries into one net signal per (customer, item): the sum of each entry's
 * decayed weight. Pairs whose net signal is zero or negative (a title looked at and rated one
 * star) are left out, because co-activity similarity needs evidence of use; the negative signal
 * still reaches the customer's own profile at serving time.
 *
 * Runs in O(activities + customers + items) with two stable counting sorts, so a million entries
 * take well under a second.
 */
export function buildInteractionMatrix(
  activities: readonly ItemActivity[],
  options: InteractionMatrixOptions,
): InteractionMatrix {
  const { customerCount, itemCount, now } = options;
  const halfLife = options.halfLifeDays ?? DEFAULT_MATRIX_HALF_LIFE_DAYS;
  const n = activities.length;

  const customers = new Int32Array(n);
  const items = new Int32Array(n);
  const weights = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const entry = activities[a];
    checkIndex(entry.customer, customerCount, 'customer');
    checkIndex(entry.item, itemCount, 'item');
    customers[a] = entry.customer;
    items[a] = entry.item;
    weights[a] = decayedSignal(entry, now, halfLife, options);
  }

  // Sorting by item and then, stably, by customer leaves entries ordered by (customer, item),
  // so duplicates of a pair sit next to each other.
  const byItemOrder = countingSort(items, itemCount, identity(n));
  const order = countingSort(customers, customerCount, byItemOrder);

  const rowCounts = new Int32Array(customerCount + 1);
  const pairItems = new Int32Array(n);
  const pairValues = new Float32Array(n);
  const pairFirst = new Float64Array(n);
  let pairs = 0;
  let a = 0;
  while (a < n) {
    const customer = customers[order[a]];
    const item = items[order[a]];
    let sum = 0;
    let first = Infinity;
    while (a < n && customers[order[a]] === customer && items[order[a]] === item) {
      sum += weights[order[a]];
      first = Math.min(first, activities[order[a]].at);
      a++;
    }
    if (sum > 0) {
      pairItems[pairs] = item;
      pairValues[pairs] = sum;
      pairFirst[pairs] = first;
      rowCounts[customer + 1]++;
      pairs++;
    }
  }
  for (let c = 0; c < customerCount; c++) rowCounts[c + 1] += rowCounts[c];

  const byCustomer: SparseRows = {
    offsets: rowCounts,
    indices: pairItems.slice(0, pairs),
    values: pairValues.slice(0, pairs),
  };
  const customerSequence = sequencePositions(byCustomer.offsets, pairFirst);
  const { rows: byItem, extra: itemSequence } = transpose(byCustomer, itemCount, customerSequence);
  const itemNormSquared = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    let sum = 0;
    for (let p = byItem.offsets[i]; p < byItem.offsets[i + 1]; p++) {
      sum += byItem.values[p] * byItem.values[p];
    }
    itemNormSquared[i] = sum;
  }
  return {
    customerCount,
    itemCount,
    byCustomer,
    byItem,
    itemNormSquared,
    customerSequence,
    itemSequence,
  };
}

/**
 * The transpose of a CSR matrix with `columns` columns, carrying one extra per-entry column
 * along. Rows of the result list their indices in ascending order because the input rows are
 * visited in order.
 */
export function transpose(
  rows: SparseRows,
  columns: number,
  extra: Int32Array = new Int32Array(rows.indices.length),
): { rows: SparseRows; extra: Int32Array } {
  const rowCount = rows.offsets.length - 1;
  const nnz = rows.indices.length;
  const offsets = new Int32Array(columns + 1);
  for (let p = 0; p < nnz; p++) offsets[rows.indices[p] + 1]++;
  for (let c = 0; c < columns; c++) offsets[c + 1] += offsets[c];
  const cursor = offsets.slice(0, columns);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const carried = new Int32Array(nnz);
  for (let r = 0; r < rowCount; r++) {
    for (let p = rows.offsets[r]; p < rows.offsets[r + 1]; p++) {
      const slot = cursor[rows.indices[p]]++;
      indices[slot] = r;
      values[slot] = rows.values[p];
      carried[slot] = extra[p];
    }
  }
  return { rows: { offsets, indices, values }, extra: carried };
}

/**
 * Each entry's position in its row's time order: how many of the row's entries started strictly
 * earlier, so entries at the same moment (a pile of loans at the counter) share a position.
 */
function sequencePositions(offsets: Int32Array, times: Float64Array): Int32Array {
  const positions = new Int32Array(offsets[offsets.length - 1]);
  for (let r = 0; r + 1 < offsets.length; r++) {
    const from = offsets[r];
    const to = offsets[r + 1];
    if (to - from < 2) continue;
    const sorted = Array.from(times.subarray(from, to)).sort((x, y) => x - y);
    for (let p = from; p < to; p++) positions[p] = lowerBound(sorted, times[p]);
  }
  return positions;
}

function lowerBound(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function identity(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** Stable counting sort of positions `order` by `keys[position]`, keys in `[0, keyCount)`. */
function countingSort(keys: Int32Array, keyCount: number, order: Int32Array): Int32Array {
  const starts = new Int32Array(keyCount + 1);
  for (let p = 0; p < order.length; p++) starts[keys[order[p]] + 1]++;
  for (let k = 0; k < keyCount; k++) starts[k + 1] += starts[k];
  const sorted = new Int32Array(order.length);
  for (let p = 0; p < order.length; p++) sorted[starts[keys[order[p]]]++] = order[p];
  return sorted;
}

function checkIndex(value: number, size: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new RecommendationEngineError(
      RecommendationErrorCode.INDEX_OUT_OF_RANGE,
      `${what} index ${value} is outside 0..${size - 1}; indices must be dense and counted first`,
    );
  }
}
