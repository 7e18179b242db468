#!/usr/bin/env bash
# npm run test:localstack — deploys both stacks into LocalStack with cdklocal and runs the black-box
# suites and the timer suite against the deployed endpoint, with a credential issued by
# `npm run credentials`.
#
#   bash scripts/test-localstack.sh               the whole profile (needs Docker and LOCALSTACK_AUTH_TOKEN)
#   bash scripts/test-localstack.sh --synth-only  only the steps before `docker compose up` (no container
#                                                  engine needed); prints the services LocalStack must enable
#
# The machines this project is developed and tested on have no container engine: there the profile
# stops at the Docker check, and test/localstack/profile.test.ts runs everything before it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/localstack/env.sh
profile() { npx tsx scripts/localstack/profile.ts "$@"; }

# 1. The templates: the app for the stage (synthesized once, deployed as synthesized), and a
#    bootstrap template the free plan can deploy (CDK's own, without its ECR repository).
mkdir -p "$LOCALSTACK_OUT"
npx cdklocal bootstrap --show-template --json > "$LOCALSTACK_OUT/bootstrap.cdk.json"
profile bootstrap-template "$LOCALSTACK_OUT/bootstrap.cdk.json" "$LOCALSTACK_OUT/bootstrap.json"
npx cdklocal synth -c stage="$STAGE" -o "$LOCALSTACK_OUT/cloud" --quiet

# 2. The services LocalStack loads (docker-compose.yml: SERVICES), derived from those templates.
LOCALSTACK_SERVICES="$(profile services "$LOCALSTACK_OUT/cloud" "$LOCALSTACK_OUT/bootstrap.json")"
export LOCALSTACK_SERVICES
if [ "${1:-}" = "--synth-only" ]; then
  echo "$LOCALSTACK_SERVICES"
  exit 0
fi

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "test:localstack needs a running Docker engine (LocalStack runs in a container, and runs Lambda functions in containers)." >&2
  echo "No container engine is available here, so this profile cannot run on this machine." >&2
  exit 1
fi
if [ -z "${LOCALSTACK_AUTH_TOKEN:-}" ]; then
  echo "Set LOCALSTACK_AUTH_TOKEN: LocalStack images require it (free account at localstack.cloud)." >&2
  exit 1
fi

cleanup() {
  [ -n "${DRIVER_PID:-}" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -z "${KEEP_LOCALSTACK:-}" ] && docker compose down --volumes >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 3. LocalStack, bootstrapped and deployed.
docker compose up --detach --wait
npx cdklocal bootstrap --app "$LOCALSTACK_OUT/cloud" --template "$LOCALSTACK_OUT/bootstrap.json"
npx cdklocal deploy --all --app "$LOCALSTACK_OUT/cloud" --require-approval never --outputs-file "$LOCALSTACK_OUT/outputs.json"

# 4. The deployment's outputs (the endpoint normalised to the host-based URL on LocalStack's edge).
while IFS='=' read -r name value; do
  case "$name" in ENDPOINT | TABLE | ROOT_KEY_ARN | SCHEDULE_GROUP | TIMER_FUNCTION) printf -v "$name" '%s' "$value" ;; esac
done < <(profile outputs "$LOCALSTACK_OUT/outputs.json")
echo "deployed: endpoint $ENDPOINT, table $TABLE, timers in $SCHEDULE_GROUP → $TIMER_FUNCTION"

# 5. A credential in the deployed table, wrapped by the deployed root key (from the stack output:
#    LocalStack may not apply the table tag the credentials CLI would otherwise read).
CREDENTIAL="$(npx tsx bin/credentials.ts create --account 000000000000 --table "$TABLE" --root-key "$ROOT_KEY_ARN" --endpoint-url "$AWS_ENDPOINT_URL")"
export KMS_BLACKBOX_ENDPOINT="$ENDPOINT" KMS_BLACKBOX_REGION="$AWS_REGION" KMS_PROFILE_SCHEDULE_GROUP="$SCHEDULE_GROUP"
KMS_BLACKBOX_ACCESS_KEY_ID="$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeyId)' "$CREDENTIAL")"
KMS_BLACKBOX_SECRET_ACCESS_KEY="$(node -e 'console.log(JSON.parse(process.argv[1]).SecretAccessKey)' "$CREDENTIAL")"
export KMS_BLACKBOX_ACCESS_KEY_ID KMS_BLACKBOX_SECRET_ACCESS_KEY

# 6. The suites. LocalStack stores schedules but never fires them: the timer driver plays Scheduler
#    in the background (every 10 s) while the black-box suites run, so the timers they arm are
#    carried out; the timer suite then drives expiry and deletion itself.
# (node itself, not npx: the PID below is the driver's, so stopping it stops the driver)
node --import tsx scripts/localstack/scheduler-driver.ts --group "$SCHEDULE_GROUP" --watch 10 > "$LOCALSTACK_OUT/timer-deliveries.jsonl" &
DRIVER_PID=$!
# The black-box suites that speak only the KMS API, against the deployed endpoint instead of a local
# server they start themselves. Left out, because they need what only the local process offers:
# time.test.ts and local-server.test.ts (clock control, restarts, its log), protocol.test.ts (unsigned
# raw requests), clients-and-scopes, readme and aws-cli-openssl (accounts picked by dummy access keys).
npx vitest run test/blackbox/{envelope-scenario,keys,import-material,rotation,crypto,aliases-tags,state-matrix}.test.ts
kill "$DRIVER_PID" && wait "$DRIVER_PID" 2>/dev/null || true
DRIVER_PID=
npx vitest run --config vitest.localstack.config.ts
