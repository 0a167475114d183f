import { webAppConfig } from '../shared/vite-config.js';

/** The console for school card managers and operators, served at `/admin/` (outDir dist/web/admin). */
export default webAppConfig({ name: 'admin', base: '/admin/', devPort: 5174 });
