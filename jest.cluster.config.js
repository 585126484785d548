/**
 * The cluster suite (test/cluster): two or more app processes (`node dist/src/main.js`) sharing a
 * Redis and a PostgreSQL, all on 127.0.0.1. Run it with `npm run test:cluster`, which installs
 * redis-server when missing, builds dist/ when stale, and runs jest in a loopback-only network namespace.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/cluster/support/cluster-global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/support/cluster-global-teardown.ts',
};
