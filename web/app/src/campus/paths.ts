/** The campus payment screens' addresses. */
export const campusPaths = {
  payCode: '/campus/pay',
  electricity: '/campus/electricity',
  repairs: '/campus/repairs',
} as const;
