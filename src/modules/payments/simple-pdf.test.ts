import { describe, expect, it } from 'vitest';
import { renderPdf } from './simple-pdf.js';

/** Checks what a PDF reader relies on: the trailer finds the xref, every offset finds its object, stream lengths are exact. */
function assertWellFormedPdf(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
  expect(Number(first)).toBe(0);
  const entries = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
  expect(entries[0]).toBe('0000000000 65535 f ');
  entries.slice(1).forEach((entry, i) => {
    expect(entry).toMatch(/^\d{10} 00000 n $/);
    expect(text.slice(Number(entry.slice(0, 10))).startsWith(`${i + 1} 0 obj\n`)).toBe(true);
  });
  for (const match of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    expect(text.slice(start + Number(match[1]), start + Number(match[1]) + 10)).toBe('\nendstream');
  }
}

describe('the hand-written PDF', () => {
  it('is well formed, and carries Chinese as UTF-16 for the STSong-Light CJK font', () => {
    const pdf = renderPdf({ width: 595, height: 842, title: '电子发票', texts: [{ x: 70, y: 700, size: 11, text: '价税合计 ¥15.00' }], lines: [{ x1: 60, y1: 720, x2: 535, y2: 720 }] });
    assertWellFormedPdf(pdf);
    const text = pdf.toString('latin1');
    expect(text).toContain('/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H');
    expect(text).toContain('<4EF77A0E54088BA1002000A500310035002E00300030> Tj'); // 价税合计 ¥15.00
    expect(text).toContain('/Title <FEFF75355B5053D17968>');
  });
});
