/**
 * Which file answers a GET under a static prefix (the web console at /console), shared by the
 * embedded server (lambda/local/server.ts) and the console function (lambda/handlers/console.ts),
 * so both serve the same file with the same headers for the same path.
 *
 * Rules:
 * - `<prefix>` alone is answered with a redirect to `<prefix>/` (relative asset URLs need the slash).
 * - The rest of the path is percent-decoded once. Any segment starting with a dot (`..` however it
 *   is spelled — `%2e%2e`, `..%2f` — and dot-files such as `.build-stamp`), a NUL or a backslash is
 *   refused, and so is an empty segment (`//`, `%2fetc`: no absolute paths); the resolved file
 *   (symlinks followed) must lie inside the root.
 * - A path that names no file falls back to index.html only when it looks like a page (its last
 *   segment has no extension, or it ends with `/`); a missing `assets/app-1234.js` is a 404, not
 *   HTML served as JavaScript.
 * - index.html is `no-cache`; Vite's content-hashed files under assets/ are immutable for a year;
 *   anything else may be cached for five minutes.
 */
import { realpathSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

export const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.ico', 'image/x-icon'],
  ['.woff', 'font/woff'],
  ['.woff2', 'font/woff2'],
  ['.ttf', 'font/ttf'],
  ['.wasm', 'application/wasm'],
]);

export const INDEX_FILE = 'index.html';

export const CACHE_NO_CACHE = 'no-cache';
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_SHORT = 'public, max-age=300';

/** Vite's output names: `<name>-<8 base64url characters>.<ext>` directly under assets/. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

export interface StaticFile {
  readonly kind: 'file';
  /** Absolute path of the file to send. */
  readonly file: string;
  /** Path of the file relative to the root, with `/` separators (e.g. `assets/index-AbCd1234.js`). */
  readonly relative: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** True when index.html answers a path that names no file (a page of the single-page app). */
  readonly fallback: boolean;
}

export type StaticResolution =
  | StaticFile
  /** The bare prefix: answer 301 to `<prefix>/`. */
  | { readonly kind: 'add-slash' }
  /** Percent-encoding that does not decode: answer 400. */
  | { readonly kind: 'bad-request' }
  /** Answer 404. `no-index` means the root holds no index.html (nothing was built). */
  | { readonly kind: 'not-found'; readonly reason: 'outside-prefix' | 'refused' | 'missing' | 'no-index' };

/**
 * Resolves `path` (the URL path as received, still percent-encoded, without the query) under
 * `prefix` (e.g. `/console`, no trailing slash) to a file in `root`. Reads the file system (stat and
 * realpath) but nothing else; never throws for any input path.
 */
export function resolveStaticFile(root: string, prefix: string, path: string): StaticResolution {
  const base = prefix.replace(/\/+$/, '');
  if (path === base) return { kind: 'add-slash' };
  if (!path.startsWith(`${base}/`)) return { kind: 'not-found', reason: 'outside-prefix' };

  let relative: string;
  try {
    relative = decodeURIComponent(path.slice(base.length + 1));
  } catch {
    return { kind: 'bad-request' };
  }
  const segments = relative.split('/');
  const refused = segments.some((s, i) => s.startsWith('.') || (s === '' && i < segments.length - 1));
  if (refused || relative.includes('\0') || relative.includes('\\')) {
    return { kind: 'not-found', reason: 'refused' };
  }

  const rootDir = realRoot(root);
  if (rootDir === undefined) return { kind: 'not-found', reason: 'no-index' };
  const wanted = relative === '' ? undefined : insideFile(rootDir, relative);
  if (wanted !== undefined) return found(rootDir, wanted, false);

  const last = segments[segments.length - 1] ?? '';
  if (last !== '' && extname(last) !== '') return { kind: 'not-found', reason: 'missing' };
  const index = insideFile(rootDir, INDEX_FILE);
  return index === undefined ? { kind: 'not-found', reason: 'no-index' } : found(rootDir, index, relative !== '' && relative !== INDEX_FILE);
}

/** The content type a file is served with, by extension; unknown extensions are opaque bytes. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES.get(extname(file).toLowerCase()) ?? 'application/octet-stream';
}

/** Cache-Control for a file, from its path relative to the root (`/` separators). */
export function cacheControlOf(relative: string): string {
  if (relative === INDEX_FILE) return CACHE_NO_CACHE;
  return HASHED_ASSET.test(relative) ? CACHE_IMMUTABLE : CACHE_SHORT;
}

/**
 * The console's Content-Security-Policy (D29). It keeps credentials in localStorage, so a script
 * that got into the page must find nowhere to send them: scripts, styles and fonts come from the
 * page's own origin only (Vite inlines small fonts as data: URLs), and it may connect to its own
 * origin only — the KMS API it is served with. Nothing may frame it, no <base>, no form target.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every static answer with a file carries (length and encoding are the server's). */
export function staticFileHeaders(file: Pick<StaticFile, 'contentType' | 'cacheControl'>): Record<string, string> {
  return {
    'content-type': file.contentType,
    'cache-control': file.cacheControl,
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    // The console keeps credentials in the page: it is never framed by another site (frame-ancestors
    // says so too; this is for browsers that predate it).
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    // Its own browsing context group, and its files are not for other sites' pages.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** True when `contentType` is text that compresses well (the console function gzips these). */
export function isCompressible(contentType: string): boolean {
  return /^(text\/|application\/(json|wasm)|image\/svg\+xml)/.test(contentType);
}

function found(rootDir: string, file: string, fallback: boolean): StaticFile {
  const relative = file.slice(rootDir.length + 1).split(sep).join('/');
  return { kind: 'file', file, relative, contentType: contentTypeOf(file), cacheControl: cacheControlOf(relative), fallback };
}

function realRoot(root: string): string | undefined {
  try {
    return realpathSync(resolve(root));
  } catch {
    return undefined;
  }
}

/** The real path of `relative` under `rootDir` when it is a regular file inside it (after symlinks). */
function insideFile(rootDir: string, relative: string): string | undefined {
  const candidate = resolve(rootDir, relative);
  if (!isInside(rootDir, candidate)) return undefined;
  try {
    const real = realpathSync(candidate);
    return isInside(rootDir, real) && statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function isInside(dir: string, path: string): boolean {
  return path.startsWith(dir + sep);
}
