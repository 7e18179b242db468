// `npm run test:localstack` only: suites that need the stack deployed into LocalStack (see
// scripts/test-localstack.sh). They are not part of `npm test`, which has no LocalStack to run them on.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/localstack/**/*.localstack.ts'],
    testTimeout: 300_000, // real time: a schedule is due at the next whole minute, at least a minute ahead
    hookTimeout: 300_000, // a hang detector (D120)
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
