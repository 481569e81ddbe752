import { verifyAuditChain } from '../audit/audit.service';
import { rootLogger } from '../common/logger';
import { loadConfig } from '../config';
import { connectMigrated as connect } from '../platform';

/** Recomputes the audit trail's hash chain; non-zero exit when any entry was altered. */
export async function auditVerifyCommand(): Promise<number> {
  const ds = await connect(loadConfig(), rootLogger);
  try {
    const result = await verifyAuditChain(ds);
    if (result.ok) {
      process.stdout.write(`audit trail intact: ${result.checked} entries checked\n`);
      return 0;
    }
    process.stderr.write(
      `audit trail BROKEN at entry ${result.brokenAt}: it ${result.problem} ` +
        `(${result.checked} entries before it are intact)\n`,
    );
    return 1;
  } finally {
    await ds.destroy();
  }
}
