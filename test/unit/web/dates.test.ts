import { startOfDayIn } from '../../../web/src/lib/dates';

describe('a day picked in the console', () => {
  it('begins at midnight in London, in winter and in summer', () => {
    expect(startOfDayIn('2025-01-15')).toBe('2025-01-15T00:00:00.000Z');
    expect(startOfDayIn('2025-06-01')).toBe('2025-05-31T23:00:00.000Z');
  });

  it('lands on the right instant on the days the clocks change', () => {
    expect(startOfDayIn('2025-03-30')).toBe('2025-03-30T00:00:00.000Z');
    expect(startOfDayIn('2025-03-31')).toBe('2025-03-30T23:00:00.000Z');
    expect(startOfDayIn('2025-10-26')).toBe('2025-10-25T23:00:00.000Z');
    expect(startOfDayIn('2025-10-27')).toBe('2025-10-27T00:00:00.000Z');
  });

  it('uses another zone when asked', () => {
    expect(startOfDayIn('2025-06-01', 'America/New_York')).toBe('2025-06-01T04:00:00.000Z');
  });
});
