import { defineConfig } from "vitest/config";

// Unit tests of the pure modules and of the outbox on fake-indexeddb, in Node: fast, no browser.
// (The browser tests in ../tests/browser drive the built app in Chromium.)
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    setupFiles: ["src/test-setup.ts"],
    // A zone that is not UTC, so the form <-> ISO conversions are really exercised.
    env: { TZ: "America/New_York" },
  },
});
