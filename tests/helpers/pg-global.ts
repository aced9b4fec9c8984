/**
 * vitest globalSetup: one PostgreSQL server for the whole run (tests/helpers/postgres.ts), with a
 * template database migrated once, so a test's fresh database is a cheap copy of it
 * (tests/helpers/backends.ts). Started only when PostgreSQL is installed; tests that need it skip
 * otherwise, and `TOLLGATE_TEST_BACKEND=postgres` then fails loudly instead.
 */
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../src/db/migrate-pg.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template's URL, or '' when no server runs. */
    pgTemplateUrl: string;
    /** The superuser's socket directory and port, to create databases from the template. */
    pgAdmin: { host: string; port: number } | null;
  }
}

let server: PostgresServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!postgresAvailable) {
    if (process.env.TOLLGATE_TEST_BACKEND === 'postgres') throw new Error('TOLLGATE_TEST_BACKEND=postgres but PostgreSQL is not installed (pg_config --bindir has no initdb)');
    project.provide('pgTemplateUrl', '');
    project.provide('pgAdmin', null);
    return;
  }
  server = await startPostgres();
  const url = await server.createDatabase('tollgate_template');
  await migratePostgres(url);
  project.provide('pgTemplateUrl', url);
  project.provide('pgAdmin', server.admin);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
