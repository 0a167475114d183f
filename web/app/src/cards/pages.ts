/** The card screens App.tsx routes to. */
export { ApplicationProgressPage } from './ApplicationProgressPage.js';
export { CardDetailPage } from './CardDetailPage.js';
export { CardStatusQueryPage } from './CardStatusQueryPage.js';
export { ConfirmationPage } from './ConfirmationPage.js';
export { ExtensionPage } from './ExtensionPage.js';
export { K12ServicesPage } from './K12ServicesPage.js';
export { ReplacementPage } from './ReplacementPage.js';
export { ReturnPage } from './ReturnPage.js';
