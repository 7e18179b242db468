// The tests that judge a mutant of lambda/core (stryker.config.mjs): the unit and contract suites, in process.
// The black-box, browser, AWS, CDK and LocalStack suites drive separate processes that run unmutated sources.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
    // These two only drive adapters (moto, SIGKILLed child processes): minutes per run, no core mutant to kill.
    exclude: ['test/contract/moto-key-store.test.ts', 'test/contract/embedded-durability.test.ts'],
    // Key pairs from a pool of earlier real generations with the same arguments, when MUTATION_KEY_POOL is set.
    setupFiles: ['test/support/mutation-set-up.ts'],
  },
});
