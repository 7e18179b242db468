/**
 * The parts of `npm run test:localstack` that are not shell: what LocalStack must enable, the
 * bootstrap template its free plan can deploy, and the stack outputs the suites need. The script
 * (scripts/test-localstack.sh) calls the CLI below; test/localstack/profile.test.ts tests both.
 *
 *   tsx scripts/localstack/profile.ts bootstrap-template <cdk bootstrap --show-template --json> <out.json>
 *   tsx scripts/localstack/profile.ts services <cdk.out dir> <bootstrap template>   → comma-separated services
 *   tsx scripts/localstack/profile.ts outputs <outputs.json>                       → KEY=value lines (shell)
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly [key: string]: unknown }>;
  readonly Outputs?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/**
 * Services the profile calls besides what the templates create: CloudFormation, S3 (assets), SSM
 * (the bootstrap version) and STS (who am I) for `cdklocal deploy`; DynamoDB and KMS for issuing
 * a credential; Scheduler and Lambda for the timer driver.
 */
export const PROFILE_SERVICES = ['cloudformation', 's3', 'ssm', 'sts', 'dynamodb', 'kms', 'scheduler', 'lambda'] as const;

/** The LocalStack service (its SERVICES name) that serves a CloudFormation resource type. */
export function serviceOfResourceType(type: string): string | undefined {
  if (type === 'AWS::CDK::Metadata') return undefined; // CDK's own marker, not deployed anywhere
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return 'lambda'; // custom resources run as functions
  const match = /^AWS::([A-Za-z0-9]+)::[A-Za-z0-9]+$/.exec(type);
  if (!match) throw new Error(`not a CloudFormation resource type: ${type}`);
  // LocalStack's names are the namespaces in lower case (ApiGatewayV2 → apigatewayv2, Logs → logs, ...).
  return match[1]!.toLowerCase();
}

/** Every service the templates' resources and the profile itself use, sorted. */
export function requiredServices(templates: readonly CfnTemplate[]): string[] {
  const services = new Set<string>(PROFILE_SERVICES);
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      const service = serviceOfResourceType(resource.Type);
      if (service) services.add(service);
    }
  }
  return [...services].sort();
}

/** The stack templates `cdk synth` wrote into `outdir`. */
export function synthesizedTemplates(outdir: string): CfnTemplate[] {
  return readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(outdir, name), 'utf8')) as CfnTemplate);
}

/**
 * The CDK bootstrap template without its container-image repository and what refers to it:
 * LocalStack serves ECR only from its Base plan, and this app has no container assets.
 */
export function withoutContainerAssets(template: CfnTemplate): CfnTemplate {
  const resources = { ...(template.Resources ?? {}) };
  const outputs = { ...(template.Outputs ?? {}) };
  const removed = new Set(Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::ECR::Repository'));
  // A reference is a Ref/GetAtt/DependsOn ("Id") or an Fn::Sub variable (${Id} or ${Id.Attr}).
  const mentions = (value: unknown) => [...removed].some((id) => new RegExp(`"${id}"|\\$\\{${id}[}.]`).test(JSON.stringify(value)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, resource] of Object.entries(resources)) {
      if (removed.has(id) || !mentions(resource)) continue;
      removed.add(id);
      changed = true;
    }
  }
  for (const id of removed) delete resources[id];
  for (const [id, output] of Object.entries(outputs)) if (mentions(output)) delete outputs[id];
  return { ...template, Resources: resources, Outputs: outputs };
}

/**
 * The API's URL from a stack output, as clients reach it on LocalStack's edge: LocalStack may render
 * the output without a scheme, with the Region or AWS's domain in the host, or without the edge
 * port. Clients need `<scheme>://<api id>.execute-api.<edge host>:<port>/[<stage>/]` (the host-based
 * form: the path-based `/_aws/execute-api/<id>/…` form would change the path the client signs).
 */
export function normaliseEndpointUrl(raw: string, edge: string): string {
  const value = raw.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  const api = /^([a-z0-9]+)\.execute-api\./.exec(url.hostname);
  if (!api) throw new Error(`the EndpointUrl output is not an API Gateway URL: ${raw}`);
  const edgeUrl = new URL(edge);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/?$/, '/');
  return `${edgeUrl.protocol}//${api[1]}.execute-api.${edgeUrl.host}${path}`;
}

export interface ProfileOutputs {
  readonly endpoint: string;
  readonly table: string;
  readonly rootKeyArn: string;
  readonly scheduleGroup: string;
  readonly timerFunction: string;
}

/** What `cdklocal deploy --outputs-file` wrote for the service stack, normalised. */
export function profileOutputs(outputs: Record<string, Record<string, string>>, edge: string): ProfileOutputs {
  const service = Object.values(outputs).find((o) => o.EndpointUrl !== undefined);
  if (!service) throw new Error('no stack in the outputs file has an EndpointUrl output');
  const need = (name: string) => {
    const value = service[name];
    if (!value) throw new Error(`the service stack has no ${name} output`);
    return value;
  };
  return {
    endpoint: normaliseEndpointUrl(need('EndpointUrl'), edge),
    table: need('TableName'),
    rootKeyArn: need('RootKeyArn'),
    scheduleGroup: need('ScheduleGroup'),
    timerFunction: need('TimerFunctionName'),
  };
}

function main(argv: string[]): void {
  const [command, ...args] = argv;
  const edge = process.env.LOCALSTACK_EDGE ?? 'http://localhost.localstack.cloud:4566';
  switch (command) {
    case 'bootstrap-template': {
      const [input, output] = args;
      if (!input || !output) break;
      writeFileSync(output, JSON.stringify(withoutContainerAssets(JSON.parse(readFileSync(input, 'utf8')) as CfnTemplate), null, 1));
      return;
    }
    case 'services': {
      const [outdir, bootstrap] = args;
      if (!outdir || !bootstrap) break;
      const templates = [...synthesizedTemplates(outdir), JSON.parse(readFileSync(bootstrap, 'utf8')) as CfnTemplate];
      process.stdout.write(`${requiredServices(templates).join(',')}\n`);
      return;
    }
    case 'outputs': {
      const [file] = args;
      if (!file) break;
      const o = profileOutputs(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>, edge);
      const lines = { ENDPOINT: o.endpoint, TABLE: o.table, ROOT_KEY_ARN: o.rootKeyArn, SCHEDULE_GROUP: o.scheduleGroup, TIMER_FUNCTION: o.timerFunction };
      for (const [name, value] of Object.entries(lines)) process.stdout.write(`${name}=${value}\n`);
      return;
    }
  }
  process.stderr.write('usage: profile.ts bootstrap-template <in> <out> | services <cdk.out> <bootstrap.json> | outputs <outputs.json>\n');
  process.exit(2);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
