/** The e-card screens' addresses, for links from other screens (the cards page, a card's page). */
export const ecardPaths = {
  home: '/ecards',
  openK12: '/ecards/k12/open',
  upgrade: (cardId: string) => `/ecards/${cardId}/upgrade`,
  move: (cardId: string) => `/ecards/${cardId}/move`,
  linkUniversity: '/ecards/university/link',
  university: (cardId: string) => `/ecards/university/${cardId}`,
} as const;
