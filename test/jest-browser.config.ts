import type { Config } from 'jest';

/**
 * `npm run test:browser`: the web console in the system Chromium (playwright-core) against the built
 * service (`node dist/main`), so `npm run build` must have run. Not part of `npm test`.
 */
const config: Config = {
  displayName: 'browser',
  testEnvironment: 'node',
  rootDir: '..',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // One browser and one service at a time: the machine is shared, and the specs watch timing-driven UI.
  maxWorkers: 1,
  testTimeout: 60_000,
};

export default config;
