import { readFile } from 'node:fs/promises';
import type { AuditActor } from '../platform/audit.js';
import { openRuntime, type Runtime } from '../platform/boot.js';
import { loadConfig } from '../platform/config.js';

/** Work done from the command line is audited as the CLI: there is no signed-in person. */
export const cliActor: AuditActor = { role: 'cli', id: null };

/** Opens the runtime, runs the work, and always closes the database, also when the work throws. */
export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig());
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** A file the command was given, or null after saying why it cannot be read (exit code 1). */
export async function readInputFile(file: string): Promise<Buffer | null> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    console.error(`cannot read ${file}: ${error.code ?? error.message}`);
    return null;
  });
  if (!bytes) process.exitCode = 1;
  return bytes;
}
