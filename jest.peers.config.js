/**
 * The peer suite (`npm run test:peers`): the built Lambda bundles against moto (an AWS implementation we did not
 * write) instead of our stand-ins. Needs Python and PyPI on first use (scripts/peers/moto.mjs), so the default
 * `npm test` leaves tests/peers out. Same transform as jest.config.js.
 * @type {import('jest').Config}
 */
const base = require("./jest.config.js");

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/peers"],
  testMatch: ["**/*.test.ts"],
  transform: base.transform,
  // Generous: moto on a shared 2-core machine; every wait inside the tests is a bounded poll of its own.
  testTimeout: 120000,
  reporters: base.reporters,
  // Provides moto (installed on first use), builds the bundles, starts one moto_server for all files.
  globalSetup: "<rootDir>/tests/support/peers/global-setup.ts",
  globalTeardown: "<rootDir>/tests/support/peers/global-teardown.ts",
  // One moto and the bundles' child processes share 2 cores: files run one after another.
  maxWorkers: 1,
};
