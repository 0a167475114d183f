import { webAppConfig } from '../shared/vite-config.js';

/** The student/parent app, served at `/` (outDir dist/web/app). */
export default webAppConfig({ name: 'app', base: '/', devPort: 5173 });
