#!/usr/bin/env node
// The `onecard` command: runs the built CLI, or the TypeScript sources through tsx when not built.
// The build (tsconfig.build.json) compiles src/ and terminal/ under dist/server/ with their
// folders kept, so the built CLI reaches the terminal simulators as plain JS.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/server/src/cli/main.js', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
