import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../gql/graphql';
import { messageOf, request } from './client';

export interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Asks again (keeps showing the last data meanwhile). */
  reload: () => Promise<void>;
}

/** Runs a query when mounted and whenever its variables change (compared as JSON). */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): QueryState<TResult> {
  const [data, setData] = useState<TResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify(variables ?? {});
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const run = ++latest.current;
    setLoading(true);
    try {
      const result = await (request as (d: typeof document, v: unknown) => Promise<TResult>)(
        document,
        JSON.parse(key),
      );
      if (run === latest.current) {
        setData(result);
        setError(null);
      }
    } catch (e) {
      if (run === latest.current) setError(messageOf(e));
    } finally {
      if (run === latest.current) setLoading(false);
    }
  }, [document, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}
