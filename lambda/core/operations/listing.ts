/**
 * Pages of records that must be filtered after the store has read them (keys or aliases whose key
 * is past its deletion date are gone, D17). Each store page stops exactly at its last item, so the
 * marker of the last page read always resumes right after the last item returned.
 */
import type { Page, PageRequest } from '../ports';

export interface FilteredPage<T> {
  readonly items: readonly T[];
  readonly nextMarker?: string;
}

export async function filteredPage<R, T>(
  fetch: (page: PageRequest) => Promise<Page<R>>,
  request: PageRequest,
  keep: (record: R) => Promise<T | undefined>,
): Promise<FilteredPage<T>> {
  const items: T[] = [];
  let marker = request.marker;
  for (;;) {
    // Stryker disable next-line ConditionalExpression: `marker !== undefined` -> true is equivalent: every KeyStore (memory, DynamoDB) reads an undefined marker as none (`false`, killed by the paging tests, shares the name)
    const page = await fetch({ limit: request.limit - items.length, ...(marker !== undefined && { marker }) });
    for (const record of page.items) {
      const kept = await keep(record);
      if (kept !== undefined) items.push(kept);
    }
    marker = page.nextMarker;
    if (marker === undefined) return { items };
    if (items.length >= request.limit) return { items, nextMarker: marker };
  }
}
