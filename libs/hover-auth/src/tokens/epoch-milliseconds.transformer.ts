import type { ValueTransformer } from 'typeorm';

/**
 * Stores instants as `bigint` epoch milliseconds: the one timestamp representation that behaves the
 * same on SQLite, PostgreSQL and MySQL/MariaDB (no session time zones, no driver date parsing).
 * PostgreSQL and MySQL drivers return `bigint` as a string; this turns it back into a number.
 */
export const epochMillisecondsTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
