import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CACHE_IMMUTABLE,
  CACHE_NO_CACHE,
  CACHE_SHORT,
  CONSOLE_CSP,
  type StaticFile,
  type StaticResolution,
  cacheControlOf,
  contentTypeOf,
  resolveStaticFile,
  staticFileHeaders,
} from '../../../../lambda/adapters/static/static-files';

// GIVEN a built console next to a secret: <tmp>/site/{index.html, favicon.png, assets/...} and <tmp>/secret.txt
let tmp: string;
let site: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'byok-static-files-'));
  site = join(tmp, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(site, 'favicon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(site, 'robots.txt'), 'User-agent: *');
  writeFileSync(join(site, 'assets', 'index-BiJoz-AS.js'), 'console.log(1)');
  writeFileSync(join(site, 'assets', 'index-DtR2_JIF.css'), 'body{}');
  writeFileSync(join(site, 'assets', 'font.WOFF2'), 'wOF2');
  writeFileSync(join(site, 'assets', 'data.bin'), 'x');
  writeFileSync(join(site, '.build-stamp'), '2026-01-01T00:00:00Z');
  writeFileSync(join(tmp, 'secret.txt'), 'secret');
  writeFileSync(join(tmp, 'site-evil.txt'), 'secret'); // shares the root's name as a prefix
  symlinkSync(join(tmp, 'secret.txt'), join(site, 'assets', 'link.txt'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const resolve = (path: string): StaticResolution => resolveStaticFile(site, '/console', path);
const fileOf = (path: string): StaticFile => {
  const r = resolve(path);
  expect(r.kind, path).toBe('file');
  return r as StaticFile;
};

describe('resolveStaticFile', () => {
  test('serves a file under the prefix with its content type and path relative to the root', () => {
    const js = fileOf('/console/assets/index-BiJoz-AS.js');
    expect(js).toMatchObject({ file: join(site, 'assets', 'index-BiJoz-AS.js'), relative: 'assets/index-BiJoz-AS.js', contentType: 'text/javascript; charset=utf-8', fallback: false });
    expect(fileOf('/console/assets/index-DtR2_JIF.css').contentType).toBe('text/css; charset=utf-8');
    expect(fileOf('/console/favicon.png').contentType).toBe('image/png');
  });

  test('serves index.html for the prefix with a slash, and by name', () => {
    expect(fileOf('/console/')).toMatchObject({ relative: 'index.html', contentType: 'text/html; charset=utf-8', cacheControl: CACHE_NO_CACHE, fallback: false });
    expect(fileOf('/console/index.html')).toMatchObject({ relative: 'index.html', fallback: false });
  });

  test('falls back to index.html for a path that names no file and looks like a page', () => {
    for (const path of ['/console/keys', '/console/keys/1234abcd-12ab-34cd-56ef-1234567890ab', '/console/assets/', '/console/settings/']) {
      expect(fileOf(path), path).toMatchObject({ relative: 'index.html', cacheControl: CACHE_NO_CACHE, fallback: true });
    }
  });

  test('decodes percent-encoded names once', () => {
    expect(fileOf('/console/assets/index%2DBiJoz-AS.js').relative).toBe('assets/index-BiJoz-AS.js');
    expect(fileOf('/console/assets%2Findex-BiJoz-AS.js').relative).toBe('assets/index-BiJoz-AS.js');
  });

  test('redirects the bare prefix (with or without a trailing slash in the configured prefix)', () => {
    expect(resolve('/console')).toEqual({ kind: 'add-slash' });
    expect(resolveStaticFile(site, '/console/', '/console')).toEqual({ kind: 'add-slash' });
  });

  test('fails with not-found for a missing file that has an extension (no HTML served as a script)', () => {
    expect(resolve('/console/assets/index-00000000.js')).toEqual({ kind: 'not-found', reason: 'missing' });
    expect(resolve('/console/missing.png')).toEqual({ kind: 'not-found', reason: 'missing' });
  });

  test('fails with not-found for paths outside the prefix', () => {
    for (const path of ['/', '/consolex', '/consolex/index.html', '/other/console/']) {
      expect(resolve(path), path).toEqual({ kind: 'not-found', reason: 'outside-prefix' });
    }
  });

  test('fails with not-found, never a file outside the root, for traversal attempts however they are spelled', () => {
    const attempts = [
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%2E%2E/secret.txt',
      '/console/..%2fsecret.txt',
      '/console/..%2Fsecret.txt',
      '/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/console/assets/../../secret.txt',
      '/console/assets/%2e%2e/%2e%2e/secret.txt',
      '/console/.%2e/secret.txt',
      '/console/..%5csecret.txt',
      '/console/%5c..%5csecret.txt',
      '/console/../site-evil.txt',
      '/console/%2fetc%2fpasswd',
      '/console//etc/passwd',
      '/console/index.html%00.png',
      '/console/.build-stamp',
      '/console/%2ebuild-stamp',
    ];
    for (const path of attempts) {
      const r = resolve(path);
      expect(r.kind, path).toBe('not-found');
      expect(JSON.stringify(r)).not.toContain('secret');
    }
  });

  test('fails with not-found for a symlink that leads outside the root', () => {
    expect(resolve('/console/assets/link.txt')).toEqual({ kind: 'not-found', reason: 'missing' });
  });

  test('fails with bad-request for percent-encoding that does not decode', () => {
    expect(resolve('/console/%E0%A4%A')).toEqual({ kind: 'bad-request' });
    expect(resolve('/console/%zz')).toEqual({ kind: 'bad-request' });
  });

  test('fails with not-found (no-index) when nothing is built', () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    expect(resolveStaticFile(empty, '/console', '/console/')).toEqual({ kind: 'not-found', reason: 'no-index' });
    expect(resolveStaticFile(empty, '/console', '/console/keys')).toEqual({ kind: 'not-found', reason: 'no-index' });
    expect(resolveStaticFile(join(tmp, 'does-not-exist'), '/console', '/console/')).toEqual({ kind: 'not-found', reason: 'no-index' });
  });
});

describe('content types and caching', () => {
  test('content types by extension, case-insensitive; unknown ones are opaque bytes', () => {
    expect(contentTypeOf('a/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('x.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('x.map')).toBe('application/json; charset=utf-8');
    expect(contentTypeOf('x.svg')).toBe('image/svg+xml');
    expect(contentTypeOf('x.WOFF2')).toBe('font/woff2');
    expect(contentTypeOf('x.wasm')).toBe('application/wasm');
    expect(contentTypeOf('x.bin')).toBe('application/octet-stream');
    expect(contentTypeOf('Makefile')).toBe('application/octet-stream');
    expect(fileOf('/console/assets/font.WOFF2').contentType).toBe('font/woff2');
    expect(fileOf('/console/assets/data.bin').contentType).toBe('application/octet-stream');
  });

  test("Vite's content-hashed assets are immutable, index.html is revalidated, anything else is cached briefly", () => {
    expect(cacheControlOf('index.html')).toBe(CACHE_NO_CACHE);
    expect(cacheControlOf('assets/index-BiJoz-AS.js')).toBe(CACHE_IMMUTABLE);
    expect(cacheControlOf('assets/index.browser-9vKv_m5d.js')).toBe(CACHE_IMMUTABLE);
    expect(cacheControlOf('assets/index-DtR2_JIF.css')).toBe(CACHE_IMMUTABLE);
    expect(cacheControlOf('assets/font.woff2')).toBe(CACHE_SHORT); // no hash in the name
    expect(cacheControlOf('index-BiJoz-AS.js')).toBe(CACHE_SHORT); // not under assets/
    expect(cacheControlOf('robots.txt')).toBe(CACHE_SHORT);
    expect(fileOf('/console/robots.txt').cacheControl).toBe(CACHE_SHORT);
  });

  test('every file answer carries the console CSP, says nosniff and refuses framing', () => {
    expect(staticFileHeaders(fileOf('/console/'))).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  test('the CSP allows no inline script, no eval and no other origin to connect to (D29)', () => {
    const directives = new Map(CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });
});
