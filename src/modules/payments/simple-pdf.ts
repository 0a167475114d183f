/**
 * A one-page PDF written by hand (no PDF library is installed): text and lines only. Chinese is
 * drawn with the standard Adobe-GB1 font STSong-Light in UniGB-UCS2-H encoding, which PDF
 * readers supply themselves, so no font is embedded and the file stays a few kilobytes. Text is
 * written as UTF-16BE hex strings; characters outside the Basic Multilingual Plane become '?'.
 */

export interface PdfText {
  x: number;
  y: number;
  size: number;
  text: string;
}

export interface PdfLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PdfPage {
  /** In points; A4 is 595 × 842. */
  width: number;
  height: number;
  texts: PdfText[];
  lines: PdfLine[];
  title: string;
}

function utf16Hex(text: string): string {
  let hex = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    hex += (code > 0xffff ? 0x3f : code).toString(16).padStart(4, '0');
  }
  return hex.toUpperCase();
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

function contentStream(page: PdfPage): string {
  const lines = page.lines.map((l) => `${num(l.x1)} ${num(l.y1)} m ${num(l.x2)} ${num(l.y2)} l S`);
  const texts = page.texts.map((t) => `BT /F1 ${num(t.size)} Tf 1 0 0 1 ${num(t.x)} ${num(t.y)} Tm <${utf16Hex(t.text)}> Tj ET`);
  return ['0.6 w', ...lines, ...texts].join('\n');
}

/** The objects of the document, numbered from 1 in this order. */
function objects(page: PdfPage): string[] {
  const content = contentStream(page);
  return [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(page.width)} ${num(page.height)}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>`,
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    // CIDs 1–95 of Adobe-GB1 are the proportional ASCII glyphs: half width, so digits do not spread out.
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    `<< /Title <FEFF${utf16Hex(page.title)}> /Producer (Onecard) >>`,
  ];
}

/** The whole file: header, objects, cross-reference table with byte offsets, trailer. */
export function renderPdf(page: PdfPage): Buffer {
  // The binary comment on line 2 tells transfer tools the file is not plain text.
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]?.length ?? 0;
  objects(page).forEach((body, index) => {
    offsets.push(length);
    const object = Buffer.from(`${index + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
    parts.push(object);
    length += object.length;
  });
  const count = offsets.length + 1;
  const xref = ['xref', `0 ${count}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)].join('\n');
  parts.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${count} /Root 1 0 R /Info ${count - 1} 0 R >>\nstartxref\n${length}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
