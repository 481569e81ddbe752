import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { failStartup, type Role, runProcess } from './process';

const role = (process.argv[2] ?? 'all') as Role;
if (!['all', 'api', 'worker'].includes(role)) {
  process.stderr.write(`Unknown role "${role}": use all, api or worker\n`);
  process.exit(2);
}

(async () => {
  const config = loadConfig();
  await runProcess(role, config);
})().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  failStartup(err);
});
