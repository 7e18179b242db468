import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Hang detectors, not speed limits: a test waits for outcomes, and a loaded 2-core machine (CI shares it
    // with other work) can make a test that takes 5 s idle take a minute (D120).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/support/build.ts'],
    reporters: ['default'],
    // The pinned AWS SDK supports Node 20; its notice about 2027 releases needing Node 22 is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
