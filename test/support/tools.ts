/** Runs the external tools the black-box tests drive (AWS CLI v1, openssl, python3), failing loudly if absent. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const INSTALL_HINT: Record<string, string> = {
  aws: "pip install awscli (AWS CLI v1)",
  openssl: 'apt-get install openssl',
  curl: 'apt-get install curl',
  python3: 'apt-get install python3 && pip install boto3',
};

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `tool args…`; resolves with the exit code instead of throwing, so tests can assert on failures. */
export async function tool(name: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(name, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string; code?: number | string };
    if (e.code === 'ENOENT') throw new Error(`'${name}' is not installed; this test needs it: ${INSTALL_HINT[name] ?? name}`);
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** Environment for the AWS CLI / boto3 against a local endpoint: dummy credentials, fixed region, no config files. */
export function awsEnv(accessKeyId = 'AKIAIOSFODNN7EXAMPLE', region = 'us-east-1'): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
}
