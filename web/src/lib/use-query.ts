import { useCallback, useEffect, useRef, useState } from 'react';
import { gql } from './api';

export interface QueryState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a query when the component mounts and whenever `key` changes. An answer that arrives
 * after a newer request started is dropped, so a fast typist never sees stale results.
 */
export function useQuery<T>(
  query: string,
  variables: Record<string, unknown>,
  opts: { skip?: boolean } = {},
): QueryState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: !opts.skip,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (opts.skip) return;
    const id = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => id === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) => id === latest.current && setState({ data: null, error, loading: false }),
    );
  }, [query, key, tick, opts.skip]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
