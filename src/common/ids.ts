import { DomainError } from './errors';

/** Ids are bigint in the database; anything else is the client's mistake, not a 500. */
export function assertId(id: string, field: string): string {
  if (!/^[1-9][0-9]{0,17}$/.test(id)) {
    throw DomainError.badInput(field, 'id', 'must be an id issued by this API');
  }
  return id;
}

/** Escapes LIKE wildcards so a search for "100%" means the characters, not a pattern. */
export function likeContains(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Drops keys whose value is undefined, so a partial update leaves those columns alone. */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
