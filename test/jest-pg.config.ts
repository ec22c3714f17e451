import type { Config } from 'jest';

/**
 * `npm run test:pg`: the e2e suites again, each file on a fresh PostgreSQL database
 * (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). CI runs it; `npm test` does not.
 */
process.env.TEST_DATABASE = 'postgres';

const config: Config = {
  displayName: 'e2e-postgres',
  testEnvironment: 'node',
  rootDir: '..',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  // These run the service as a child process on a SQLite file of their own (crash safety checks the
  // SQLite file itself); the PostgreSQL run would only repeat them.
  testPathIgnorePatterns: ['/node_modules/', 'crash-(safety|resume)\\.e2e-spec\\.ts$', 'startup\\.e2e-spec\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30_000,
};

export default config;
