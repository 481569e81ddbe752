/**
 * SQL condition (over an `activity` row aliased `a`) for entries that count in statistics: not
 * corrections, and not entries a correction cancels. Reports, segments, campaign uplift and
 * suggestion attribution all use this one.
 */
export const COUNTED_ENTRY = `a.type <> 'CORRECTION'
  AND NOT EXISTS (SELECT 1 FROM activity corr
                   WHERE corr.corrects_id = a.id AND corr.type = 'CORRECTION')`;
