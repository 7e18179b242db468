#!/usr/bin/env bash
# npm run test:localstack — deploys both stacks into LocalStack with cdklocal and runs the black-box
# suite against the deployed endpoint, with credentials issued by `npm run credentials`.
#
# Needs Docker (or a compatible engine) and LOCALSTACK_AUTH_TOKEN. The machines this project is
# developed and tested on have no container engine, so this profile does not run there: it is kept
# ready for users who have Docker.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "test:localstack needs a running Docker engine (LocalStack runs in a container, and runs Lambda functions in containers)." >&2
  echo "No container engine is available here, so this profile cannot run on this machine." >&2
  exit 1
fi
if [ -z "${LOCALSTACK_AUTH_TOKEN:-}" ]; then
  echo "Set LOCALSTACK_AUTH_TOKEN: LocalStack images require it (free account at localstack.cloud)." >&2
  exit 1
fi

STAGE="${STAGE:-localstack}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}"
export AWS_ENDPOINT_URL="http://localhost.localstack.cloud:4566"
OUTPUTS="cdk.out/localstack-outputs.json"

cleanup() { docker compose down --volumes >/dev/null 2>&1 || true; }
if [ -z "${KEEP_LOCALSTACK:-}" ]; then trap cleanup EXIT; fi

docker compose up --detach --wait
npx cdklocal bootstrap -c stage="$STAGE"
npx cdklocal deploy --all -c stage="$STAGE" --require-approval never --outputs-file "$OUTPUTS"

read -r ENDPOINT TABLE < <(node -e '
  const o = require(process.argv[1]);
  const s = Object.values(o).find((v) => v.EndpointUrl);
  console.log(s.EndpointUrl, s.TableName);
' "$PWD/$OUTPUTS")
echo "deployed: endpoint $ENDPOINT, table $TABLE"

CREDENTIAL="$(npx tsx bin/credentials.ts create --account 000000000000 --table "$TABLE" --endpoint-url "$AWS_ENDPOINT_URL")"
export KMS_BLACKBOX_ENDPOINT="$ENDPOINT"
export KMS_BLACKBOX_REGION="$AWS_REGION"
KMS_BLACKBOX_ACCESS_KEY_ID="$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeyId)' "$CREDENTIAL")"
KMS_BLACKBOX_SECRET_ACCESS_KEY="$(node -e 'console.log(JSON.parse(process.argv[1]).SecretAccessKey)' "$CREDENTIAL")"
export KMS_BLACKBOX_ACCESS_KEY_ID KMS_BLACKBOX_SECRET_ACCESS_KEY

# The black-box suites that speak only the KMS API, against the deployed endpoint instead of a local
# server they start themselves. Left out, because they need what only the local process offers:
# time.test.ts and local-server.test.ts (clock control, restarts, its log), protocol.test.ts (unsigned
# raw requests), clients-and-scopes, readme and aws-cli-openssl (accounts picked by dummy access keys).
npx vitest run test/blackbox/{envelope-scenario,keys,import-material,rotation,crypto,aliases-tags,state-matrix}.test.ts
