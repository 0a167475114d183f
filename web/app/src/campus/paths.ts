/** The campus payment screens' addresses. */
export const campusPaths = {
  payCode: '/campus/pay',
} as const;
