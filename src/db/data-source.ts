import os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DbOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Opening a connection fails after this long instead of hanging a request. */
  connectTimeoutMs?: number;
  /** Log every SQL statement through this callback (tests count statements with it). */
  onQuery?: (sql: string) => void;
}

/**
 * libpq falls back to the operating-system user when a URL names none; node-postgres reads
 * only $USER, which service managers often leave unset. Fill it in the way libpq would.
 */
export function withDefaultUser(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || os.userInfo().username;
  return u.toString();
}

/** A TypeORM data source for the platform's schema. Call `initialize()` before use. */
export function createDataSource(opts: DbOptions): DataSource {
  const onQuery = opts.onQuery;
  return new DataSource({
    type: 'postgres',
    url: withDefaultUser(opts.url),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: onQuery ? ['query'] : false,
    logger: onQuery
      ? {
          logQuery: (sql: string) => onQuery(sql),
          logQueryError: () => undefined,
          logQuerySlow: () => undefined,
          logSchemaBuild: () => undefined,
          logMigration: () => undefined,
          log: () => undefined,
        }
      : undefined,
    extra: {
      max: opts.poolSize ?? 10,
      // Applied by PostgreSQL to every statement on these connections.
      options: `-c statement_timeout=${opts.statementTimeoutMs ?? 15_000}`,
      application_name: 'commonplace',
      // After a PostgreSQL restart the pool drops the dead connections (node-postgres removes
      // a client whose connection fails) and opens new ones on demand; these bound the wait
      // while the server is unreachable and notice half-open connections.
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      idleTimeoutMillis: 30_000,
    },
  });
}

/**
 * Creates the database named in `url` when it does not exist yet, connecting to the
 * `postgres` maintenance database with the same credentials. Needs the CREATEDB privilege.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(withDefaultUser(url));
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL ${redactUrl(url)} names no database`);
  const admin = new URL(target.toString());
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Two processes starting together may race to create it; the loser finds it there.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end();
  }
}

/** A URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
