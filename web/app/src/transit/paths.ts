/** The transit screens' addresses: a card's trips (signed in) and the public fare calculator. */
export const transitPaths = {
  trips: (cardId: string) => `/cards/${cardId}/trips`,
  fares: '/fares',
  /** The calculator prefilled for the card's next rail ride. */
  faresForRail: (monthSpentFen: number) => `/fares?mode=rail&category=student&monthSpentFen=${monthSpentFen}`,
} as const;
