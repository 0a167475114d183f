import { webAppConfig } from '../shared/vite-config.js';

/** The console for school card managers and operators, served at `/admin/` (outDir dist/web/admin). */
// A desktop tool on office networks: antd (table, form, layout) is most of its ~270 kB gzipped
// vendor file, which stays cached across releases, so the 500 kB (unzipped) warning is raised.
export default webAppConfig({ name: 'admin', base: '/admin/', devPort: 5174, chunkSizeWarningLimitKb: 1000 });
