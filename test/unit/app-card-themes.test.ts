import { describe, expect, it } from 'vitest';
import { faceTheme, schoolThemes, stageThemes } from '../../web/app/src/cards/themes.js';

/** The card face follows the school from a fixed set; anything else falls back to the stage's face (no custom themes). */
describe('card face themes', () => {
  const card = (theme: string, stage: 'primary' | 'middle' | 'high' | 'university' | 'vocational' | null) => ({ school: { id: 's', name: 'n', theme, servicePoint: null }, stage });

  it('keeps a school theme from the set', () => {
    for (const theme of schoolThemes) expect(faceTheme(card(theme, 'middle'))).toBe(theme);
  });

  it('uses the server’s stage default as is', () => {
    for (const theme of stageThemes) expect(faceTheme(card(theme, 'primary'))).toBe(theme);
  });

  it('refuses a theme outside the set and draws the card’s stage instead', () => {
    expect(faceTheme(card('my-own-pink', 'high'))).toBe('stage-high');
    expect(faceTheme(card('url(javascript:alert(1))', 'university'))).toBe('stage-university');
    expect(faceTheme(card('', null))).toBe('stage-primary');
  });
});
