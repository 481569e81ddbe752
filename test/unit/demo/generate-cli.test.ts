import { DemoOptionsError } from '../../../src/demo/generate';
import { parseGenerateArgs } from '../../../src/demo/generate-cli';

describe('parseGenerateArgs', () => {
  it('reads the output directory and sizes, leaving unset options to the defaults', () => {
    const args = parseGenerateArgs(['--out', '/tmp/x', '--activities', '1_000_000', '--seed', '9']);
    expect(args.out).toBe('/tmp/x');
    expect(args.options).toEqual({
      activities: 1_000_000,
      seed: 9,
      customers: undefined,
      items: undefined,
      events: undefined,
      branches: undefined,
      referenceDate: undefined,
    });
  });

  it('takes a reference date, or today at midnight UTC', () => {
    const now = new Date('2026-03-04T15:16:17Z');
    const fixed = parseGenerateArgs(['--out', 'd', '--reference-date', '2025-01-02'], now);
    expect(fixed.options.referenceDate?.toISOString()).toBe('2025-01-02T00:00:00.000Z');
    const today = parseGenerateArgs(['--out', 'd', '--reference-date', 'today'], now);
    expect(today.options.referenceDate?.toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });

  it.each([
    [[], 'out'],
    [['--out', 'd', '--customers', 'many'], 'customers'],
    [['--out', 'd', '--reference-date', 'soon'], 'reference-date'],
    [['--out', 'd', '--colour', 'red'], 'arguments'],
  ])('rejects %j naming %s', (argv, option) => {
    expect(() => parseGenerateArgs(argv)).toThrow(DemoOptionsError);
    try {
      parseGenerateArgs(argv);
    } catch (error) {
      expect((error as DemoOptionsError).option).toBe(option);
    }
  });
});
