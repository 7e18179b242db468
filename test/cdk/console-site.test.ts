/**
 * ConsoleSite on its own stack, with real bundling (the local esbuild, as `cdk synth` runs it): the
 * built console is copied into the function's asset next to index.mjs, without the build stamp, and
 * bundling fails with the fix when nothing is built.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUNDLED_CONSOLE_DIR, ConsoleSite, consoleCopyCommands } from '../../lib/constructs/console-site';

let tmp: string;
let dist: string;
beforeAll(() => {
  // GIVEN a built console (as scripts/build-console.mjs leaves it)
  tmp = mkdtempSync(join(tmpdir(), 'byok-console-site-'));
  dist = join(tmp, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'logo-AbCd1234.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(dist, '.build-stamp'), '2026-01-01T00:00:00.000Z\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stack with an HTTP API and the console on it, bundled for real into `outdir`. */
function synthBundled(assetsDir: string, outdir: string) {
  const app = new App({ outdir }); // no aws:cdk:bundling-stacks context: every stack is bundled
  const stack = new Stack(app, 'ConsoleTest');
  const httpApi = new HttpApi(stack, 'Api');
  const site = new ConsoleSite(stack, 'Console', { httpApi, logRetention: RetentionDays.ONE_WEEK, assetsDir });
  return { app, stack, site };
}

describe('ConsoleSite', () => {
  test('bundles the console function with the built console copied beside index.mjs', () => {
    // WHEN
    const outdir = join(tmp, 'cdk.out');
    const { stack } = synthBundled(dist, outdir);
    // THEN the function's code is an asset directory holding the bundle and the console
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: string } } };
    const assetDir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`); // staged as cdk.out/asset.<hash>
    expect(readdirSync(assetDir).sort()).toEqual(['console', 'index.mjs', 'index.mjs.map']);
    const copied = join(assetDir, BUNDLED_CONSOLE_DIR);
    expect(readFileSync(join(copied, 'index.html'), 'utf8')).toContain('<title>console</title>');
    expect(readFileSync(join(copied, 'assets', 'logo-AbCd1234.png'))).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(existsSync(join(copied, '.build-stamp'))).toBe(false);
    // and two GET routes on the given API
    expect(Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey).sort()).toEqual([
      'GET /console',
      'GET /console/{proxy+}',
    ]);
  });

  test('fails bundling, saying how to build the console, when it is not built', () => {
    // GIVEN an empty directory instead of a build
    const empty = mkdtempSync(join(tmp, 'empty-'));
    // WHEN / THEN
    expect(() => synthBundled(empty, join(tmp, 'cdk.out.empty'))).toThrow(/web console is not built .*index\.html is missing.*run: node scripts\/build-console\.mjs/s);
  });

  test('the copy commands quote paths, so spaces and quotes in them are safe', () => {
    const [check, mkdir, copy] = consoleCopyCommands("/tmp/it's here/dist", '/out/console');
    expect(check).toMatch(/^test -f '\/tmp\/it'\\''s here\/dist\/index\.html' \|\| /);
    expect(mkdir).toBe("mkdir -p '/out/console'");
    expect(copy).toBe("cp -R '/tmp/it'\\''s here/dist/.' '/out/console'");
  });
});
