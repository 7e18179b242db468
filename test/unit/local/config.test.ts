import { describe, expect, test } from 'vitest';
import { parseLocalConfig, USAGE, UsageError } from '../../../lambda/local/config';

describe('parseLocalConfig', () => {
  test('defaults to 127.0.0.1:4599, .kms-data, open auth, no clock control', () => {
    expect(parseLocalConfig([], {})).toEqual({
      port: 4599,
      host: '127.0.0.1',
      dataDir: '.kms-data',
      inMemory: false,
      clockControl: false,
      auth: 'open',
      acceptStoreDamage: false,
      allowedHosts: [],
      requestLog: true,
      help: false,
    });
  });

  test('reads the KMS_* environment', () => {
    const env = { KMS_PORT: '0', KMS_HOST: '::1', KMS_DATA_DIR: '/tmp/d', KMS_CLOCK_CONTROL: '1', KMS_AUTH: 'enforce', KMS_IN_MEMORY: 'true' };
    expect(parseLocalConfig([], { ...env, KMS_ALLOWED_HOSTS: 'kms.internal, proxy:8080', KMS_REQUEST_LOG: '0' })).toEqual({
      port: 0,
      host: '::1',
      dataDir: '/tmp/d',
      inMemory: true,
      clockControl: true,
      auth: 'enforce',
      acceptStoreDamage: false,
      allowedHosts: ['kms.internal', 'proxy:8080'],
      requestLog: false,
      help: false,
    });
  });

  test('lets flags win over the environment', () => {
    const env = { KMS_PORT: '1234', KMS_HOST: '0.0.0.0', KMS_DATA_DIR: '/env', KMS_AUTH: 'enforce' };
    const config = parseLocalConfig(['--port', '5678', '--host', '127.0.0.1', '--data-dir', '/flag', '--auth', 'open', '--clock-control', '--in-memory'], env);
    expect(config).toMatchObject({ port: 5678, host: '127.0.0.1', dataDir: '/flag', auth: 'open', clockControl: true, inMemory: true });
    expect(parseLocalConfig(['--accept-store-damage'], {}).acceptStoreDamage).toBe(true);
    expect(parseLocalConfig([], { KMS_ACCEPT_STORE_DAMAGE: '1' }).acceptStoreDamage).toBe(true);
  });

  test('takes --allow-host more than once, and --no-request-log', () => {
    const config = parseLocalConfig(['--allow-host', 'a.example', '--allow-host=[::2]:80', '--no-request-log'], { KMS_ALLOWED_HOSTS: 'ignored', KMS_REQUEST_LOG: '1' });
    expect(config).toMatchObject({ allowedHosts: ['a.example', '[::2]:80'], requestLog: false });
  });

  test('accepts --flag=value and -h', () => {
    expect(parseLocalConfig(['--port=0', '-h'], {})).toMatchObject({ port: 0, help: true });
  });

  test('does not treat KMS_CLOCK_CONTROL=0 as on', () => {
    expect(parseLocalConfig([], { KMS_CLOCK_CONTROL: '0' }).clockControl).toBe(false);
  });

  test.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--port', '-1']],
    [['--auth', 'maybe']],
    [['--unknown']],
    [['positional']],
    [['--host', '']],
    [['--allow-host', 'http://evil/']],
    [['--allow-host', 'a:99999']],
  ])('fails with UsageError on %j', (argv) => {
    expect(() => parseLocalConfig(argv, {})).toThrow(UsageError);
  });

  test('--help lists each option with its environment variable in aligned columns', () => {
    const rows = USAGE.split('\n').filter((line) => /^ {2}-/.test(line) && line.includes('KMS_'));
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(new Set(rows.map((line) => line.indexOf('KMS_'))).size).toBe(1);
    // the meaning column too: where the first run of two or more spaces after the flag ends
    expect(new Set(rows.map((line) => /^ {2}\S.*? {2,}(?=\S)/.exec(line)![0].length)).size).toBe(1);
  });
});
