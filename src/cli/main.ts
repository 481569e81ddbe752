#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config';
import { importCommand } from '../imports/import.command';
import { anonymiseCommand } from '../privacy/anonymise.command';
import { auditVerifyCommand } from './audit.command';
import { migrateCommand } from './migrate.command';
import { tokenCommand, type TokenOptions } from './token.command';
import { rebuildCommand } from './recommendations.command';
import { campaignRunCommand } from './campaign.command';

/** Parses a positive whole number option, naming the option when it is not one. */
function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

/**
 * `npm run cli -- <command>` (or `npx commonplace <command>` once built). Each command sets
 * `process.exitCode` rather than exiting, so connections close cleanly first.
 */
function buildProgram(): Command {
  const program = new Command('commonplace')
    .description('Commonplace: one record for every library customer')
    .showHelpAfterError();

  program
    .command('import')
    .description(
      'import a CSV file from the old system ' +
        '(branches, items, customers, interests, consents, events, activity)',
    )
    .argument('<kind>', 'what the file holds')
    .argument('<file>', 'path of the CSV file')
    .option('--batch-size <n>', 'rows per transaction', positiveInt('--batch-size'))
    .action(async (kind: string, file: string, opts: { batchSize?: number }) => {
      const extra = opts.batchSize ? ['--batch-size', String(opts.batchSize)] : [];
      process.exitCode = await importCommand([kind, file, ...extra]);
    });

  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      process.exitCode = await migrateCommand();
    });

  program
    .command('token')
    .description('print a signed bearer token for local use')
    .requiredOption(
      '--role <role>',
      'CUSTOMER, FRONT_LINE_STAFF, MARKETING, MANAGER, ADMIN or SERVICE',
    )
    .option('--customer <externalId>', 'the customer a CUSTOMER token acts for')
    .option('--staff <name>', 'staff member name recorded in the ledger and audit trail')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 1h, 7d', '1h')
    .action(async (opts: TokenOptions) => {
      process.exitCode = await tokenCommand(opts);
    });

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('check that no audit entry has been altered or removed')
    .action(async () => {
      process.exitCode = await auditVerifyCommand();
    });

  program
    .command('privacy')
    .description('reading-history privacy')
    .command('anonymise')
    .description(
      'detach activity from customers as their history choice says (the nightly job, now)',
    )
    .option(
      '--retention-days <n>',
      'overrides HISTORY_RETENTION_DAYS',
      positiveInt('--retention-days'),
    )
    .action(async (opts: { retentionDays?: number }) => {
      process.exitCode = await anonymiseCommand(opts);
    });

  const recs = program.command('recommendations').description('the recommendation model');
  recs
    .command('rebuild')
    .description('queue a full model rebuild')
    .option('--wait', 'wait until every customer has fresh suggestions')
    .option('--shards <n>', 'shard jobs to split the build into', positiveInt('--shards'))
    .option(
      '--timeout <seconds>',
      'give up waiting after this long',
      positiveInt('--timeout'),
      1800,
    )
    .action(async (opts: { wait?: boolean; shards?: number; timeout: number }) => {
      process.exitCode = await rebuildCommand(opts);
    });

  const campaign = program.command('campaign').description('marketing campaigns');
  campaign
    .command('run')
    .description(
      'validate a campaign described in a JSON file, create it, send it and print the results',
    )
    .argument('<file>', 'JSON: name, purpose, channels, segmentId or filter, template, ...')
    .option('--timeout <seconds>', 'stop waiting after this long', positiveInt('--timeout'), 600)
    .option(
      '--uplift-days <n>',
      'days after sending the uplift covers',
      positiveInt('--uplift-days'),
    )
    .action(async (file: string, opts: { timeout: number; upliftDays?: number }) => {
      process.exitCode = await campaignRunCommand(file, opts);
    });
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err) => {
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`}\n`,
    );
    process.exitCode = 1;
  });
