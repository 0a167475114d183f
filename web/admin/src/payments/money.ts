/** Amounts travel as integer fen; screens show yuan with two decimals. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** '12.3' → 1230; null for anything that is not a positive amount with at most two decimals. */
export function yuanToFen(yuan: string | number | null | undefined): number | null {
  const text = String(yuan ?? '').trim();
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return fen > 0 ? fen : null;
}
