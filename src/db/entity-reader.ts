import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { fastQuery } from './fast-query';

/**
 * Reads whole entities with one hand-written, prepared SELECT instead of TypeORM's query
 * builder, which costs several times more CPU per call than the query itself on the hot read
 * paths (a customer page, the titles in a suggestion list). Columns are aliased to property names and
 * rows become instances of the entity class, so callers cannot tell the difference.
 */
export class EntityReader<T extends ObjectLiteral> {
  private readonly select: string;
  private readonly table: string;
  private readonly proto: object;

  constructor(ds: DataSource, entity: EntityTarget<T>) {
    const meta = ds.getMetadata(entity);
    this.table = meta.tableName;
    this.proto = (meta.target as { prototype: object }).prototype;
    // node-postgres cannot parse arrays of enum types; as text[] they arrive as string arrays.
    this.select = meta.columns
      .map(
        (c) =>
          `t."${c.databaseName}"${c.isArray && c.type === 'enum' ? '::text[]' : ''} AS "${c.propertyName}"`,
      )
      .join(', ');
  }

  private instance(row: Record<string, unknown>): T {
    return Object.assign(Object.create(this.proto), row) as T;
  }

  /** Rows whose `column` equals any of `values`, in no particular order. */
  async whereIn(
    ds: DataSource,
    column: string,
    values: readonly string[],
    cast = 'bigint',
  ): Promise<T[]> {
    const rows = await fastQuery<Record<string, unknown>>(
      ds,
      `SELECT ${this.select} FROM "${this.table}" t WHERE t."${column}" = ANY($1::${cast}[])`,
      [values],
    );
    return rows.map((r) => this.instance(r));
  }

  async one(ds: DataSource, column: string, value: string, cast = 'bigint'): Promise<T | null> {
    const rows = await fastQuery<Record<string, unknown>>(
      ds,
      `SELECT ${this.select} FROM "${this.table}" t WHERE t."${column}" = $1::${cast} LIMIT 1`,
      [value],
    );
    return rows.length ? this.instance(rows[0]) : null;
  }
}

const readers = new WeakMap<DataSource, Map<unknown, EntityReader<ObjectLiteral>>>();

/** The reader for an entity on a data source, built once. */
export function readerFor<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
): EntityReader<T> {
  let byEntity = readers.get(ds);
  if (!byEntity) readers.set(ds, (byEntity = new Map()));
  let reader = byEntity.get(entity);
  if (!reader) byEntity.set(entity, (reader = new EntityReader(ds, entity)));
  return reader as EntityReader<T>;
}
