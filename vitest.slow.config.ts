import { defineConfig } from "vitest/config";

// The slow lane (`npm run test:slow`, CI): the built CLI as a child process, as the platform
// runs it (exit codes, signals, pipes, working directories, a read-only file system), and the
// checks that wait on real clocks (the 30-s progress line, check's 20-s deadline).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    // Mostly waiting on sockets, child processes and clocks: more files than cores.
    maxWorkers: 3,
  },
});
