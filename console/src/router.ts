// Hash routing: the server only has to serve index.html at /console/, whatever page is open.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'keys' }
  | { page: 'key'; keyRef: string; tab?: string }
  | { page: 'import'; keyRef: string }
  | { page: 'create' }
  | { page: 'activity' }
  | { page: 'settings' }
  | { page: 'not-found' };

/**
 * `#/keys/<ref>` where ref is a key ID, key ARN or alias name, URL-encoded by href();
 * a hand-typed `#/keys/alias/my-key` works too.
 */
export function parseRoute(hash: string): Route {
  // `?tab=<id>` opens a tab of the key detail page.
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const tab = new URLSearchParams(query).get('tab') ?? undefined;
  const segments = path.split('/').filter((s) => s !== '');
  const [first, ...rest] = segments;
  if (first === undefined || (first === 'keys' && rest.length === 0)) return { page: 'keys' };
  if (first === 'create' && rest.length === 0) return { page: 'create' };
  if (first === 'settings' && rest.length === 0) return { page: 'settings' };
  if (first === 'activity' && rest.length === 0) return { page: 'activity' };
  if (first !== 'keys') return { page: 'not-found' };
  let refSegments = rest;
  let page: 'key' | 'import' = 'key';
  if (rest.length > 1 && rest[rest.length - 1] === 'import') {
    refSegments = rest.slice(0, -1);
    page = 'import';
  }
  try {
    const keyRef = refSegments.map(decodeURIComponent).join('/');
    return page === 'key' && tab ? { page, keyRef, tab } : { page, keyRef };
  } catch {
    return { page: 'not-found' };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case 'keys': return '#/keys';
    case 'key': return `#/keys/${encodeURIComponent(route.keyRef)}${route.tab ? `?tab=${encodeURIComponent(route.tab)}` : ''}`;
    case 'import': return `#/keys/${encodeURIComponent(route.keyRef)}/import`;
    case 'create': return '#/create';
    case 'settings': return '#/settings';
    case 'activity': return '#/activity';
    case 'not-found': return '#/keys';
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}
