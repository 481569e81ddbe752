import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError } from '../common/errors';
import { type Logger, safeError } from '../common/logger';

/** Codes Apollo itself produces for malformed requests; they pass through unchanged. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * Shapes every error a client sees: domain errors keep their code, message and field detail;
 * anything unexpected becomes INTERNAL_SERVER_ERROR with no SQL or stack in it, and is logged.
 */
export function createErrorFormatter(log: Logger, exposeStack: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: original.code, problems: original.problems },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      return exposeStack ? formatted : { ...formatted, extensions: { code } };
    }
    log.error({ event: 'graphql.unexpected_error', path: formatted.path, err: safeError(original) });
    return {
      message: 'Something went wrong on our side; it has been logged.',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
