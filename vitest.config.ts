import { defineConfig } from "vitest/config";

// Unit tests, in-process runs of the connector (test/source), and end-to-end runs of the
// built CLI (test/e2e); the acceptance suite has its own config.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/source/**/*.test.ts", "test/e2e/**/*.test.ts"],
    testTimeout: 30_000,
    // The tests mostly wait on sockets and child processes, and one waits a minute on
    // purpose (test/e2e/progress.test.ts): more files at once than the machine's cores.
    maxWorkers: 3,
  },
});
