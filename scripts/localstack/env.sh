# The environment of `npm run test:localstack`: sourced by scripts/test-localstack.sh, and by its test
# (test/localstack/profile.test.ts), which runs `cdklocal synth` under exactly this environment.
#
# cdklocal (aws-cdk-local 3) refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3, and drops every
# other AWS_* variable it is not told to keep (AWS_ENVAR_ALLOWLIST): without the allow-list the
# Region below would silently become us-east-1.
LOCALSTACK_EDGE="${LOCALSTACK_EDGE:-http://localhost.localstack.cloud:4566}"
LOCALSTACK_S3_EDGE="${LOCALSTACK_S3_EDGE:-http://s3.localhost.localstack.cloud:4566}"
export LOCALSTACK_EDGE LOCALSTACK_S3_EDGE
export STAGE="${STAGE:-localstack}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="$AWS_REGION"
# LocalStack accepts any credentials; a profile or session token left in the shell must not leak in.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_ENDPOINT_URL="$LOCALSTACK_EDGE"
export AWS_ENDPOINT_URL_S3="$LOCALSTACK_S3_EDGE"
export AWS_ENVAR_ALLOWLIST="AWS_REGION,AWS_DEFAULT_REGION"
# Everything the profile writes goes here (synthesized templates, the bootstrap template, stack outputs).
export LOCALSTACK_OUT="${LOCALSTACK_OUT:-cdk.out/localstack}"
