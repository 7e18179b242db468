import { isAbsolute, join, posix, relative, sep } from 'node:path';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { PROJECT_ROOT, ServiceFunction } from './service-function';

/** Where scripts/build-console.mjs puts the built console. */
export const CONSOLE_DIST = join(PROJECT_ROOT, 'console', 'dist');

/** Folder beside the function's index.mjs that holds the console; lambda/entry/console.ts serves it. */
export const BUNDLED_CONSOLE_DIR = 'console';

export const CONSOLE_PATH = '/console';

export interface ConsoleSiteProps {
  /**
   * The KMS API's front door, an HTTP API or a REST API (exactly one): the console is served from the
   * same origin, so it calls the API without CORS.
   */
  readonly httpApi?: apigwv2.IHttpApi;
  readonly restApi?: apigw.IRestApi;
  readonly logRetention: RetentionDays;
  /**
   * The built console (index.html, assets/), copied into the function's bundle at synth time.
   *
   * @default - console/dist, built by `node scripts/build-console.mjs` (bin/app.ts runs it first)
   */
  readonly assetsDir?: string;
}

/**
 * The web console on the deployed stack: `GET /console` and `GET /console/{proxy+}` on the KMS
 * API's front door, served by a function whose bundle carries the built console. The function is a
 * file server: its role may write its own logs and nothing else (no AWS API calls at all). The
 * console itself is a client of the KMS API: it signs its calls with credentials the user enters.
 */
export class ConsoleSite extends Construct {
  public readonly handler: ServiceFunction;
  /** The HTTP API routes or REST API methods (cdk-nag reports its authorization findings on them). */
  public readonly routes: readonly IConstruct[];

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entryName: 'console',
      description: 'byok-kms console: the web console files (GET /console/*)',
      logRetention: props.logRetention,
      memorySize: 256,
      bundling: { commandHooks: consoleBundlingHooks(props.assetsDir ?? CONSOLE_DIST) },
    });
    if ((props.httpApi === undefined) === (props.restApi === undefined)) throw new Error('ConsoleSite needs exactly one of httpApi and restApi');
    if (props.restApi) {
      const integration = new apigw.LambdaIntegration(this.handler);
      this.routes = [CONSOLE_PATH, `${CONSOLE_PATH}/{proxy+}`].map((path) => props.restApi!.root.resourceForPath(path).addMethod('GET', integration));
      return;
    }
    const httpApi = props.httpApi!;
    const integration = new HttpLambdaIntegration('Integration', this.handler);
    this.routes = [
      new apigwv2.HttpRoute(this, 'IndexRoute', {
        httpApi,
        routeKey: apigwv2.HttpRouteKey.with(CONSOLE_PATH, apigwv2.HttpMethod.GET),
        integration,
      }),
      new apigwv2.HttpRoute(this, 'FilesRoute', {
        httpApi,
        routeKey: apigwv2.HttpRouteKey.with(`${CONSOLE_PATH}/{proxy+}`, apigwv2.HttpMethod.GET),
        integration,
      }),
    ];
  }
}

/**
 * esbuild hooks that copy the built console next to the bundle (`<output>/console/`). They run
 * only when the function is really bundled, and fail that bundling with the fix when nothing is built.
 */
export function consoleBundlingHooks(assetsDir: string): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => consoleCopyCommands(bundlingSource(assetsDir, inputDir), posix.join(outputDir, BUNDLED_CONSOLE_DIR)),
  };
}

/** Shell commands (bash) that check the built console and copy it to `target`. */
export function consoleCopyCommands(source: string, target: string): string[] {
  const index = posix.join(source, 'index.html');
  const missing = `byok-kms: the web console is not built (${index} is missing); run: node scripts/build-console.mjs`;
  return [
    `test -f ${sh(index)} || { echo ${sh(missing)} >&2; exit 1; }`,
    `mkdir -p ${sh(target)}`,
    `cp -R ${sh(`${source}/.`)} ${sh(target)}`,
    `rm -f ${sh(posix.join(target, '.build-stamp'))}`,
  ];
}

/** The assets as the bundling shell sees them: under the input dir when inside the project (Docker mounts it there). */
function bundlingSource(assetsDir: string, inputDir: string): string {
  const inside = relative(PROJECT_ROOT, assetsDir);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return assetsDir;
  return posix.join(inputDir, ...inside.split(sep));
}

function sh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
