import { webAppConfig } from '../shared/vite-config.js';

/**
 * The console for school card managers and operators, served at `/admin/` (outDir dist/web/admin).
 *
 * Its pages load on first visit (App.tsx). The shared config puts all of node_modules in one `ui`
 * file, 1.1 MB here (mostly antd), that the first screen would wait for. Here that group is split
 * by which pages use each module (rolldown's `entriesAware`): the layout brings antd's core, form,
 * menu and modal; Table, DatePicker, Upload and the rest come with the first page that needs them.
 * Subgroups under 20 kB join a neighbour, so a page does not fetch a dozen tiny files.
 */
const config = webAppConfig({ name: 'admin', base: '/admin/', devPort: 5174 });
const output = config.build?.rolldownOptions?.output;
if (!output || Array.isArray(output) || typeof output.codeSplitting !== 'object') {
  throw new Error('web/shared/vite-config.ts changed: expected one output with codeSplitting groups');
}
output.codeSplitting.groups = output.codeSplitting.groups?.map((group) =>
  group.name === 'ui' ? { ...group, entriesAware: true, entriesAwareMergeThreshold: 20_000 } : group,
);
// A split file's name lists every page that shares it (hundreds of characters); its hash is enough.
output.chunkFileNames = (chunk) => (chunk.name.startsWith('ui~') ? 'assets/ui-[hash].js' : 'assets/[name]-[hash].js');

export default config;
