import { ParsedEntries } from '../../../src/recommendations/recommendation.store';

const entry = (computedAt: string) =>
  JSON.stringify({
    customerId: '1',
    modelVersion: '3',
    computedAt,
    mode: 'FULL',
    items: [],
    events: [],
  });

describe('ParsedEntries', () => {
  it('reuses the parsed list while the text from Redis is unchanged', () => {
    const cache = new ParsedEntries(10);
    const first = cache.get('1', entry('a'));
    expect(cache.get('1', entry('a'))).toBe(first);
  });

  it('parses afresh when a worker has rewritten the entry', () => {
    const cache = new ParsedEntries(10);
    cache.get('1', entry('a'));
    expect(cache.get('1', entry('b')).computedAt).toBe('b');
  });

  it('forgets the least recently read customer first', () => {
    const cache = new ParsedEntries(2);
    const one = cache.get('1', entry('a'));
    const two = cache.get('2', entry('a'));
    cache.get('1', entry('a'));
    cache.get('3', entry('a'));
    expect(cache.get('1', entry('a'))).toBe(one);
    expect(cache.get('2', entry('a'))).not.toBe(two);
  });
});
