import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

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
    plugins: [react()],
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
