/** The campus payment screens' addresses. */
export const campusPaths = {
  payCode: '/campus/pay',
  electricity: '/campus/electricity',
  repairs: '/campus/repairs',
  bookings: '/campus/bookings',
  sports: '/campus/sports',
  network: '/campus/network',
  library: '/campus/library',
  bills: '/campus/bills',
  timetable: '/campus/timetable',
  grades: '/campus/grades',
} as const;

export { isCampusStage } from '../../../../src/domain/campus-payments.js';
