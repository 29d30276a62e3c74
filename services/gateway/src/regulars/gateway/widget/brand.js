// A business's brand colour, made safe to read: the text colour on it (white or dark, whichever
// contrasts more) and the colour for brand-coloured text on the light page (the brand itself
// when it reaches WCAG AA 4.5:1 there, else the ordinary text colour).

export const DARK_TEXT = "#1c1d21";
const WHITE = "#ffffff";
const PAGE = "#f6f7f9"; // --bg, the darker of the page's two light backgrounds

export function safeColour(value) {
  return typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : null;
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The custom properties for a brand colour: --brand, --brand-contrast, --brand-ink. */
export function brandProperties(colour) {
  const brand = safeColour(colour);
  if (!brand) return null;
  return {
    "--brand": brand,
    "--brand-contrast": contrast(brand, WHITE) >= contrast(brand, DARK_TEXT) ? WHITE : DARK_TEXT,
    "--brand-ink": contrast(brand, PAGE) >= 4.5 ? brand : DARK_TEXT,
  };
}
