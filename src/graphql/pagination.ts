import { ArgsType, type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { DomainError } from '../common/errors';

/** The most a client may ask for in one page; larger requests are refused, not truncated. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  first?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor from a previous pageInfo.endCursor.',
  })
  after?: string;
}

/** Validates a requested page size, naming the argument when it is out of range. */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw DomainError.badInput(field, 'range', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/**
 * Cursors are opaque to clients: base64url of the sort key, so pages are found by keyset
 * comparison rather than OFFSET, which would rescan every earlier row.
 */
export function encodeCursor(key: Array<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(
  cursor: string | null | undefined,
  arity: number,
): Array<string | number> | null {
  if (cursor == null || cursor === '') return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw DomainError.badInput('after', 'cursor', 'is not a cursor this API issued');
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Turns rows fetched with limit+1 into a page; the extra row only says there is more. */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => Array<string | number>,
): Page<T> {
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage, endCursor: last ? encodeCursor(keyOf(last)) : null };
}

/** Builds a Relay connection type `${name}Connection` with edges and nodes for a node type. */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => nodeType)
    node: T;

    @Field()
    cursor: string;
  }

  // Named apart from the concrete subclass so the two never clash in the schema.
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => [nodeType], {
      description: 'The nodes of the edges, for clients that need no cursors.',
    })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionType;
}

/** Fills a connection object from a page, with a cursor per edge. */
export function connectionFrom<T>(page: Page<T>, keyOf: (row: T) => Array<string | number>) {
  return {
    edges: page.nodes.map((node) => ({ node, cursor: encodeCursor(keyOf(node)) })),
    nodes: page.nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  };
}
