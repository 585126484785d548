/**
 * The headless-Chromium suite (test/browser). Run it with `npm run test:browser`, which installs
 * Debian's chromium when missing and runs jest inside a loopback-only network namespace.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
};
