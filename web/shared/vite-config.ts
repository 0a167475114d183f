import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

/**
 * Fails the build when output chunks import each other in a cycle. Splitting node_modules by
 * page (the console's `entriesAware`) once produced two antd chunks that did: the browser ran
 * one before the other had defined `Modal`, and the console showed a blank page ("Cannot set
 * properties of undefined (setting 'useModal')"). Rolldown's chunker has open bugs of this kind.
 */
function noChunkCycles(): Plugin {
  return {
    name: 'onecard:no-chunk-cycles',
    generateBundle(_options, bundle) {
      const imports = new Map(Object.values(bundle).flatMap((out) => (out.type === 'chunk' ? [[out.fileName, out.imports] as const] : [])));
      const done = new Set<string>();
      const visit = (file: string, path: string[]): void => {
        if (path.includes(file)) this.error(`chunks import each other: ${[...path.slice(path.indexOf(file)), file].join(' -> ')}`);
        if (done.has(file)) return;
        for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
        done.add(file);
      };
      for (const file of imports.keys()) visit(file, []);
    },
  };
}

/**
 * The build both web apps share. The server serves `dist/web/<name>` under `base`; in
 * development Vite proxies the API to a server started with `npm run dev` (port 3000).
 */
export function webAppConfig(options: { name: 'app' | 'admin'; base: string; devPort: number; chunkSizeWarningLimitKb?: number }): UserConfig {
  const webDir = new URL('../', import.meta.url);
  const path = (relative: string) => fileURLToPath(new URL(relative, webDir));
  return defineConfig({
    root: path(`${options.name}/`),
    base: options.base,
    plugins: [react(), noChunkCycles()],
    build: {
      outDir: path(`../dist/web/${options.name}`),
      emptyOutDir: true,
      chunkSizeWarningLimit: options.chunkSizeWarningLimitKb ?? 500,
      // React and the UI kit change less often than our code: separate files stay cached.
      rolldownOptions: {
        output: {
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/ },
              { name: 'ui', test: /node_modules[\\/]/ },
            ],
          },
        },
      },
    },
    server: {
      port: options.devPort,
      proxy: { '/api': 'http://127.0.0.1:3000' },
    },
  });
}
