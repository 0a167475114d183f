/** The card screens' addresses (the money screens' are in ../payments/paths.ts). */
export const cardPaths = {
  cards: '/cards',
  card: (cardId: string) => `/cards/${cardId}`,
  statusQuery: '/card-status',
  k12Services: '/k12-services',
  replace: (cardId: string) => `/cards/${cardId}/replace`,
  sticker: (cardId: string) => `/cards/${cardId}/sticker`,
  extend: (cardId: string) => `/cards/${cardId}/extend`,
  returnCard: (cardId: string) => `/cards/${cardId}/return`,
  application: (applicationId: string) => `/card-applications/${applicationId}`,
  confirmation: (studentId: string) => `/students/${studentId}/card-info`,
} as const;
