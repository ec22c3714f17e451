import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};

/** `npm test`: unit specs next to the code, e2e specs against the real app on a temporary SQLite file. */
const config: Config = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Needs PostgreSQL behind a proxy the test stops; it runs in `npm run test:pg`.
      testPathIgnorePatterns: ['/node_modules/', 'readiness-postgres\\.e2e-spec\\.ts$'],
      transform,
    },
  ],
  // A global option (ignored inside `projects`): e2e tests boot real servers and child processes.
  testTimeout: 30_000,
};

export default config;
