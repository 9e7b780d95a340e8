import { defineConfig } from "vitest/config";

// Unit and end-to-end tests; the acceptance suite has its own config.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/e2e/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
