// Declarations of scripts/build.mjs for the TypeScript that imports it (the test set-up, the bench).
export declare function buildAll(options?: { force?: boolean }): Promise<void>;
