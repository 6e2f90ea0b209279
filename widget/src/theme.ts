/**
 * Site colours with guaranteed AA contrast: the text drawn on the brand colour
 * is white or black, whichever contrasts more. For any colour one of the
 * two reaches at least 4.58:1, above the 4.5:1 WCAG AA asks for normal text.
 */

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const DARK = '#000000';

/** Text colour for a background. */
export function ink(bg: string): string {
  return contrast(bg, '#ffffff') >= contrast(bg, DARK) ? '#ffffff' : DARK;
}

export const isColor = (v: unknown): v is string => typeof v === 'string' && /^#[0-9a-f]{6}$/i.test(v);
