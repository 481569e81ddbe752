import { upsertByExternalId, type UpsertColumn } from './import.repository';
import type { BatchOutcome, CsvHeader, Db, Importer, PendingRow } from './import.types';
import { branchRow, type BranchRow } from './rows';

/** Plan of the branch upsert; columns absent from the file are left alone on existing rows. */
function columns(header: CsvHeader): UpsertColumn[] {
  const has = (c: string) => header.position.has(c);
  return [
    { name: 'name', type: 'text', updates: true },
    { name: 'kind', type: 'branch_kind', updates: true },
    { name: 'postcode', type: 'text', updates: has('postcode') },
  ];
}

async function writeBatch(
  db: Db,
  rows: ReadonlyArray<PendingRow<BranchRow>>,
  header: CsvHeader,
): Promise<BatchOutcome> {
  const { inserted, updated } = await upsertByExternalId(
    db,
    { table: 'branch', columns: columns(header), stamped: false },
    rows.map((r) => r.value.externalId),
    [
      rows.map((r) => r.value.name),
      rows.map((r) => r.value.kind),
      rows.map((r) => r.value.postcode),
    ],
  );
  return {
    inserted: inserted.size,
    updated: updated.size,
    unchanged: rows.length - inserted.size - updated.size,
    rejected: [],
    created: {},
  };
}

/** Service points: `external_id,name,kind,postcode`, upserted by external id. */
export const branchesImporter: Importer<BranchRow> = {
  kind: 'branches',
  columns: { required: ['external_id', 'name', 'kind'], optional: ['postcode'] },
  mapRow: branchRow,
  key: (row) => row.externalId,
  writeBatch,
};
