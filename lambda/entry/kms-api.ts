// The API function's entry: AWS deps once per cold start, then the handler the embedded mode serves too.
import { makeKmsApiHandler } from '../handlers/kms-api';
import { awsApiRuntime } from '../runtime/aws';

const { deps, authenticate, logger } = awsApiRuntime(process.env);
export const handler = makeKmsApiHandler(deps, { authenticate, logger });
