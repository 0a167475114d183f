/** The transit screens, for the app's routes. */
export { FareCalculatorPage } from './FareCalculatorPage.js';
export { TripsPage } from './TripsPage.js';
