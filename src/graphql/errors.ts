import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { databaseFailure, DomainError, ErrorCode } from '../common/errors';
import { type Logger, safeError } from '../common/logger';

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
    // Errors Apollo and graphql-js raise about the request itself (parse, validation,
    // variable coercion, cost) already carry a code and a message written for the client.
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      if (exposeStack) return formatted;
      const { stacktrace: _hidden, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    // No path means it happened before execution: the request itself was wrong.
    if (original instanceof GraphQLError && !formatted.path) {
      return {
        message: original.message,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    // The database timing out or going away is an outage, not a bug: say so, and say retry.
    const failure = databaseFailure(original);
    if (failure) {
      log.warn({ event: 'graphql.database_failure', code: failure, path: formatted.path });
      return {
        message:
          failure === ErrorCode.TIMEOUT
            ? 'The request took too long and was stopped; try again, or ask for less'
            : 'The database is unavailable at the moment; try again shortly',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: failure },
      };
    }
    log.error({
      event: 'graphql.unexpected_error',
      path: formatted.path,
      err: safeError(original),
    });
    return {
      message: 'Something went wrong on our side; it has been logged.',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
