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
} as const;

/** Universities and vocational colleges: the schools with campus services (seed 004). */
export const isCampusStage = (stage: string | null | undefined): boolean => stage === 'university' || stage === 'vocational';
