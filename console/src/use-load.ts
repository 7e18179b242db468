// Loads something from the API for a view: its value, the API's error, and a way to load it again.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  value: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): Promise<void>;
}

/**
 * Calls `load` on mount and whenever it changes (wrap it in useCallback). An answer overtaken by a newer call is
 * dropped; a failed reload keeps the last value and shows the error beside it.
 */
export function useLoad<T>(load: () => Promise<T>): Loaded<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const call = ++latest.current;
    setLoading(true);
    try {
      const next = await load();
      if (call !== latest.current) return;
      setValue(next);
      setError(null);
    } catch (e) {
      if (call !== latest.current) return;
      setError(e);
    } finally {
      if (call === latest.current) setLoading(false);
    }
  }, [load]);
  useEffect(() => { void reload(); }, [reload]);
  return { value, error, loading, reload };
}
