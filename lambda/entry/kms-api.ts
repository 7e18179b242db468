// The API function's entry: AWS deps once per cold start, then the handler the embedded mode serves too
// (behind an HTTP API, or a REST API on the `rest-api` front door).
import { acceptingRestApiEvents } from '../adapters/apigw/rest-api-event';
import { makeKmsApiHandler } from '../handlers/kms-api';
import { awsApiRuntime } from '../runtime/aws';

const { deps, authenticate, logger, audit } = awsApiRuntime(process.env);
export const handler = acceptingRestApiEvents(makeKmsApiHandler(deps, { authenticate, logger, audit }));
