/**
 * `npm run test:engine`: the registration lifecycle under the real Pulumi CLI (tests/engine), apart from
 * `npm test` because it needs a CLI built from Go modules (scripts/peers/pulumi.mjs, run first by the script).
 * One worker: every test drives CLI processes and a provider host on a shared 2-core machine.
 * @type {import('jest').Config}
 */
const base = require("./jest.config.js");

module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  moduleNameMapper: base.moduleNameMapper,
  roots: ["<rootDir>/tests/engine"],
  testMatch: ["**/*.test.ts"],
  testTimeout: 5 * 60_000,
  // The plain closing line (`jest: N passed, N failed`) CI reads, as in the other configs.
  reporters: base.reporters,
  maxWorkers: 1,
};
