export function SegmentsScreen() {
  return null;
}
