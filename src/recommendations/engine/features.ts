import { InterestKind } from '../../interests/interest.enums';
import type { CatalogueItem, FeatureIndex, PopularityTable } from './types';

/**
 * The namespace a feature of an interest kind lives in. Subjects and genres share one, because
 * catalogues and customers use the two words loosely ("crime fiction" is filed as either);
 * event types and services are not features of titles and have no namespace.
 */
export function featureNamespace(kind: InterestKind): string | undefined {
  switch (kind) {
    case InterestKind.SUBJECT:
    case InterestKind.GENRE:
      return 'topic';
    case InterestKind.AUTHOR:
      return 'author';
    case InterestKind.FORMAT:
      return 'format';
    case InterestKind.LANGUAGE:
      return 'language';
    default:
      return undefined;
  }
}

/** Case- and spacing-insensitive form of a label, so "Crime  Fiction" matches "crime fiction". */
export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The feature key of an interest, or undefined for kinds titles do not have. */
export function featureKey(kind: InterestKind, label: string): string | undefined {
  const namespace = featureNamespace(kind);
  return namespace === undefined ? undefined : `${namespace}:${normaliseLabel(label)}`;
}

/** The features of one title, as (kind, label) pairs. */
export function itemInterestRefs(item: CatalogueItem): { kind: InterestKind; label: string }[] {
  const refs: { kind: InterestKind; label: string }[] = [];
  for (const label of item.subjects ?? []) refs.push({ kind: InterestKind.SUBJECT, label });
  for (const label of item.genres ?? []) refs.push({ kind: InterestKind.GENRE, label });
  for (const label of item.authors ?? []) refs.push({ kind: InterestKind.AUTHOR, label });
  refs.push({ kind: InterestKind.FORMAT, label: item.format });
  if (item.language) refs.push({ kind: InterestKind.LANGUAGE, label: item.language });
  return refs;
}

/**
 * Turns the catalogue into sparse feature vectors weighted by inverse document frequency (a
 * feature every title has, such as the only format, weighs nothing), and builds posting lists
 * ordered by all-time popularity so "the most popular crime fiction" is a prefix of one list.
 */
export function buildFeatureIndex(
  catalogue: readonly CatalogueItem[],
  popularity?: PopularityTable,
): FeatureIndex {
  const itemCount = catalogue.length;
  const lookup = new Map<string, number>();
  const keys: string[] = [];
  const labels: string[] = [];
  const kinds: InterestKind[] = [];
  const rows: number[][] = [];

  for (const item of catalogue) {
    const row = new Set<number>();
    for (const ref of itemInterestRefs(item)) {
      const key = featureKey(ref.kind, ref.label);
      if (key === undefined || ref.label.trim() === '') continue;
      let id = lookup.get(key);
      if (id === undefined) {
        id = keys.length;
        lookup.set(key, id);
        keys.push(key);
        labels.push(ref.label.trim());
        kinds.push(ref.kind);
      }
      row.add(id);
    }
    rows.push([...row].sort((a, b) => a - b));
  }

  const featureCount = keys.length;
  const itemOffsets = new Int32Array(itemCount + 1);
  rows.forEach((row, i) => (itemOffsets[i + 1] = itemOffsets[i] + row.length));
  const itemFeatures = new Int32Array(itemOffsets[itemCount]);
  rows.forEach((row, i) => itemFeatures.set(row, itemOffsets[i]));

  const documentFrequency = new Int32Array(featureCount);
  for (let p = 0; p < itemFeatures.length; p++) documentFrequency[itemFeatures[p]]++;
  const idf = new Float32Array(featureCount);
  for (let f = 0; f < featureCount; f++) {
    idf[f] = Math.log((itemCount + 1) / (documentFrequency[f] + 1));
  }
  const itemNorm = new Float32Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    let sum = 0;
    for (let p = itemOffsets[i]; p < itemOffsets[i + 1]; p++) sum += idf[itemFeatures[p]] ** 2;
    itemNorm[i] = Math.sqrt(sum);
  }

  // Items in popularity order (ties by index); appending in that order sorts every posting list.
  const order = Array.from({ length: itemCount }, (_, i) => i);
  if (popularity) {
    const score = popularity.global.allTime;
    order.sort((a, b) => score[b] - score[a] || a - b);
  }
  const postingOffsets = new Int32Array(featureCount + 1);
  for (let f = 0; f < featureCount; f++) {
    postingOffsets[f + 1] = postingOffsets[f] + documentFrequency[f];
  }
  const cursor = postingOffsets.slice(0, featureCount);
  const postingItems = new Int32Array(itemFeatures.length);
  for (const i of order) {
    for (let p = itemOffsets[i]; p < itemOffsets[i + 1]; p++) {
      postingItems[cursor[itemFeatures[p]]++] = i;
    }
  }

  return {
    itemCount,
    keys,
    labels,
    kinds,
    lookup,
    idf,
    itemOffsets,
    itemFeatures,
    itemNorm,
    postingOffsets,
    postingItems,
  };
}

/** Cosine similarity of two titles' idf-weighted feature vectors (0 when either has none). */
export function featureSimilarity(index: FeatureIndex, a: number, b: number): number {
  const normProduct = index.itemNorm[a] * index.itemNorm[b];
  if (normProduct === 0) return 0;
  let p = index.itemOffsets[a];
  let q = index.itemOffsets[b];
  const pEnd = index.itemOffsets[a + 1];
  const qEnd = index.itemOffsets[b + 1];
  let dot = 0;
  while (p < pEnd && q < qEnd) {
    const fa = index.itemFeatures[p];
    const fb = index.itemFeatures[q];
    if (fa === fb) {
      dot += index.idf[fa] ** 2;
      p++;
      q++;
    } else if (fa < fb) {
      p++;
    } else {
      q++;
    }
  }
  return dot / normProduct;
}
