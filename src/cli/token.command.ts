import { Role } from '../auth/role';
import { TokenService } from '../auth/tokens';
import { rootLogger } from '../common/logger';
import { jwtSecret, loadConfig } from '../config';
import { connectMigrated as connect } from '../platform';

export interface TokenOptions {
  role: string;
  customer?: string;
  staff?: string;
  ttl: string;
}

/**
 * Prints a signed token for local use. `--customer` takes the customer's external id (card
 * number) and is required for, and only allowed with, the CUSTOMER role.
 */
export async function tokenCommand(opts: TokenOptions): Promise<number> {
  const role = opts.role.toUpperCase() as Role;
  if (!Object.values(Role).includes(role)) {
    process.stderr.write(`--role must be one of ${Object.values(Role).join(', ')}\n`);
    return 2;
  }
  if ((role === Role.CUSTOMER) !== Boolean(opts.customer)) {
    process.stderr.write(
      '--customer EXTERNAL_ID is required for CUSTOMER tokens and only for them\n',
    );
    return 2;
  }
  if (!/^\d+[smhd]$/.test(opts.ttl)) {
    process.stderr.write('--ttl must look like 30m, 1h or 7d\n');
    return 2;
  }
  const config = loadConfig();
  let customerId: string | undefined;
  if (opts.customer) {
    const ds = await connect(config, rootLogger);
    try {
      const [row] = await ds.query(
        `SELECT id::text FROM customer WHERE external_id = $1 AND status <> 'ERASED'`,
        [opts.customer],
      );
      if (!row) {
        process.stderr.write(`no customer has external id ${opts.customer}\n`);
        return 1;
      }
      customerId = row.id;
    } finally {
      await ds.destroy();
    }
  }
  const tokens = new TokenService({
    secret: jwtSecret(config),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const subject = opts.customer
    ? `customer:${opts.customer}`
    : `${role.toLowerCase()}:${opts.staff ?? 'cli'}`;
  const token = await tokens.sign(
    {
      role,
      subject,
      ...(customerId ? { customerId } : {}),
      ...(opts.staff ? { staffName: opts.staff } : {}),
    },
    opts.ttl,
  );
  process.stdout.write(`${token}\n`);
  return 0;
}
