import { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as epoch milliseconds in a `bigint` column: portable between SQLite and
 * PostgreSQL, cheap to index and compare. PostgreSQL returns `bigint` as a string, hence the mapping.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined): number | null | undefined =>
    value instanceof Date ? value.getTime() : value,
  from: (value: string | number | null): Date | null => (value === null ? null : new Date(Number(value))),
};
