/**
 * The README is part of the product: its copy-paste examples run against the real server here,
 * exactly as written, so a user who copies them gets what the README says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeBlockAfter as codeBlockFrom } from '../support/readme';
import { awsEnv, tool } from '../support/tools';
import { useLocalServer } from './helpers';

const readme = readFileSync('README.md', 'utf8');
const local = useLocalServer();

function codeBlockAfter(heading: string, language: string): string {
  return codeBlockFrom(readme, heading, language);
}

describe('README', () => {
  test('embeds the envelope walkthrough exactly as examples/envelope-walkthrough.mjs', () => {
    expect(codeBlockAfter('## Envelope encryption walkthrough', 'js')).toBe(readFileSync('examples/envelope-walkthrough.mjs', 'utf8'));
  });

  test('the envelope walkthrough runs and prints what the README says', async () => {
    // On Node 20 the SDK warns that its 2027 releases will need Node 22; that is not the example's output.
    const env = { KMS_ENDPOINT: local.server.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const run = await tool('node', ['examples/envelope-walkthrough.mjs'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      '1. imported material, key is Enabled',
      '4. material deleted, key is PendingImport - attached data still reads: customer records',
      expect.stringMatching(/^5\. detached, Decrypt fails: KMSInvalidStateException - arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36} is pending import\.$/),
      '6. re-imported, key is Enabled - data reads: customer records',
      '7. different material refused: IncorrectKeyMaterialException',
    ]);
  });

  test('the AWS CLI quick start runs as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byok-readme-'));
    try {
      const script = codeBlockAfter('## Quick start with the AWS CLI', 'bash');
      const env: NodeJS.ProcessEnv = { ...awsEnv(), KMS_ENDPOINT: local.server.endpoint };
      delete env.AWS_ACCESS_KEY_ID; // the block exports its own credentials
      // --norc: with SHLVL unset and a socket for stdin (node's pipes are sockets), bash reads bashrc as if run by sshd.
      const run = await tool('bash', ['--norc', '-euo', 'pipefail', '-c', script], { env, cwd: dir });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const states = run.stdout.split('\n').filter((line) => /^"\w+"$/.test(line));
      expect(states).toEqual(['"Enabled"', '"PendingImport"']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the quick start runs with its base64 -d step 2 (both files from one call) instead of the Python line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byok-readme-'));
    try {
      const quickStart = codeBlockAfter('## Quick start with the AWS CLI', 'bash');
      const step2 = /^aws kms get-parameters-for-import[^\n]*\\\n[^\n]*> params\.json\npython3 -c [^\n]*\n/m;
      expect(quickStart).toMatch(step2);
      const script = quickStart.replace(step2, codeBlockAfter('Without Python, step 2', 'bash'));
      const env: NodeJS.ProcessEnv = { ...awsEnv(), KMS_ENDPOINT: local.server.endpoint };
      delete env.AWS_ACCESS_KEY_ID;
      const run = await tool('bash', ['--norc', '-euo', 'pipefail', '-c', script], { env, cwd: dir });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n').filter((line) => /^"\w+"$/.test(line))).toEqual(['"Enabled"', '"PendingImport"']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
