/** What went wrong inside the recommendation engine. */
export enum RecommendationErrorCode {
  /** An index (customer, item, branch, event) is outside the declared range. */
  INDEX_OUT_OF_RANGE = 'INDEX_OUT_OF_RANGE',
  /** Parts of a model were built for different catalogue sizes. */
  SIZE_MISMATCH = 'SIZE_MISMATCH',
  /** Two neighbour shards both cover the same item. */
  OVERLAPPING_SHARDS = 'OVERLAPPING_SHARDS',
  /** An option has a value the engine cannot work with. */
  INVALID_OPTION = 'INVALID_OPTION',
}

/**
 * The one error type the engine throws. Each is a caller bug (bad indices, mismatched parts),
 * so workers should fail the job rather than retry it.
 */
export class RecommendationEngineError extends Error {
  constructor(
    readonly code: RecommendationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecommendationEngineError';
  }
}
