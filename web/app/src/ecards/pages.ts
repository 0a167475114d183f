/** The e-card screens, for the app's routes. */
export { EcardsPage } from './EcardsPage.js';
export { MovePhonePage } from './MovePhonePage.js';
export { OpenK12Page } from './OpenK12Page.js';
export { UniversityCardPage } from './UniversityCardPage.js';
export { UniversityLinkPage } from './UniversityLinkPage.js';
export { UpgradePage } from './UpgradePage.js';
