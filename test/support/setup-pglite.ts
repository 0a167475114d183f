import type { TestProject } from 'vitest/node';
import { preparePgliteTemplate } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated PGlite template this run copies for each test file. */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgliteTemplate', await preparePgliteTemplate());
}
