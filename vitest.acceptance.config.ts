import { defineConfig } from "vitest/config";

// The acceptance suite: CAT's checks against the built CLI (default) or, with
// ACCEPTANCE_TARGET=image, against the built image (scripts/build-image.sh first).
export default defineConfig({
  test: {
    include: ["test/acceptance/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
