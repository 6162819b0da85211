/**
 * One jest run for every test. @swc/jest strips types (fast); `npm test` typechecks separately with tsc.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The peer suites need installed peers (npm run test:peers, npm run test:engine): not part of `npm test`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/peers/", "<rootDir>/tests/engine/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }] },
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
  // tests/consumer imports the package by name, as a consumer would; tsconfig.json `paths` says the same.
  moduleNameMapper: { "^lemon-webhooks$": "<rootDir>/components/index.ts" },
  // Builds the receiver Lambda bundle once, so tests exercise the real dist/lambda-bundle file.
  globalSetup: "<rootDir>/tests/support/global-setup.ts",
  // Tests start real servers (emulator, dynalite, provider host); keep them from outliving a run.
  forceExit: false,
  detectOpenHandles: false,
};
