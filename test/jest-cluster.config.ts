import type { Config } from 'jest';

/**
 * `npm run test:cluster`: several real service processes on one fresh PostgreSQL database
 * (TEST_POSTGRES_URL names the admin database) and one Redis db index (TEST_REDIS_URL, default
 * redis://127.0.0.1:6379/11, flushed by every file). One file at a time: they share that Redis db.
 */
const config: Config = {
  displayName: 'cluster',
  testEnvironment: 'node',
  rootDir: '..',
  testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  maxWorkers: 1,
  testTimeout: 120_000,
};

export default config;
