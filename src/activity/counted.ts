/**
 * SQL condition (over an `activity` row aliased `a`) for entries that count in statistics: not
 * corrections, and not entries a correction cancels. Reports and attribution use the same one.
 */
export const COUNTED_ENTRY = `a.type <> 'CORRECTION'
  AND NOT EXISTS (SELECT 1 FROM activity c WHERE c.corrects_id = a.id AND c.type = 'CORRECTION')`;
