import type { Card } from './queries.js';

/**
 * The card faces the app can draw: one default per stage, and a fixed set a school may choose
 * (`schools.card_theme`). No custom themes: a name outside this set falls back to the stage's face.
 */
export const stageThemes = ['stage-primary', 'stage-middle', 'stage-high', 'stage-university', 'stage-vocational'] as const;
export const schoolThemes = ['school-red', 'school-jade', 'school-ink', 'school-sky', 'school-gold'] as const;
export type CardTheme = (typeof stageThemes)[number] | (typeof schoolThemes)[number];

const known = new Set<string>([...stageThemes, ...schoolThemes]);

export function faceTheme(card: Pick<Card, 'school' | 'stage'>): CardTheme {
  if (known.has(card.school.theme)) return card.school.theme as CardTheme;
  return `stage-${card.stage ?? 'primary'}` as CardTheme;
}
