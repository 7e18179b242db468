import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Repository root (where cdk.json is): entries, the lock file and esbuild are found from here. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Walks up to cdk.json: this file runs from lib/constructs/ (tests) or from a bundle (scripts/cdk-app.mjs). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk.json')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no cdk.json above ${from}`);
  }
}

/** The entry files under lambda/entry/ (2–3 lines each: build AWS deps, export the handler). */
export type EntryName = 'kms-api' | 'timer' | 'console';

export function entryPath(entryName: EntryName): string {
  return join(PROJECT_ROOT, 'lambda', 'entry', `${entryName}.ts`);
}

/**
 * esbuild settings shared by the construct and the bundle test: ESM for Node 22, minified, with
 * source maps; `require` is provided for the few CommonJS dependencies the SDK still pulls in.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  /**
   * Nothing is left out, the AWS SDK included: the functions run the SDK version package-lock.json
   * pins (3.1164.0), the one every test here runs against. The nodejs22.x runtime's own SDK is a
   * version AWS changes without notice, and LocalStack's image ships yet another. The price is size:
   * about 0.5 MB minified for the API function (budget: 1 MiB per bundle, asserted by
   * test/aws/bundles.test.ts), some tens of ms more to load on a cold start.
   */
  externalModules: [] as string[],
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  forceDockerBundling: false, // the local esbuild (a devDependency); never Docker
} as const;

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'logGroup' | 'role'> {
  /** Which file of lambda/entry/ the function runs. */
  readonly entryName: EntryName;
  /** How long the function's logs are kept. */
  readonly logRetention: RetentionDays;
}

/**
 * A NodejsFunction with this project's fixed defaults: nodejs22.x on arm64, bundled by the local
 * esbuild with source maps, its own log group (retention set, destroyed with the stack), structured
 * JSON logs from Powertools, and its own role with no managed policy: it may write to its log group
 * and nothing else until a construct grants more.
 */
export class ServiceFunction extends NodejsFunction {
  public readonly logGroupResource: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const { entryName, logRetention, environment, bundling, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${entryName} function`,
    });
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(10),
      ...rest,
      entry: entryPath(entryName),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup,
      role,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'byok-kms',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...environment,
      },
      bundling: { ...BUNDLING, mainFields: [...BUNDLING.mainFields], externalModules: [...BUNDLING.externalModules], ...bundling },
    });
    logGroup.grantWrite(role);
    this.logGroupResource = logGroup;
  }
}
