/**
 * A number in plain decimal notation, never exponent form: `1.19e+21` → `1190000000000000000000`,
 * `-4e-7` → `-0.0000004`. Mermaid rejects exponents, and readers misread them.
 */
function plainDecimal(repr: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(repr);
  if (!match) return repr;
  const [, sign, whole = "", fraction = "", exp = "0"] = match;
  const digits = `${whole}${fraction}`;
  const point = whole.length + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function trimZeros(text: string): string {
  if (!text.includes(".")) return text;
  const trimmed = text.replace(/0+$/, "").replace(/\.$/, "");
  return trimmed === "-0" ? "0" : trimmed;
}

/** Words for what is not a finite number, so it is shown as text and never drawn. */
function nonFinite(value: number): string {
  if (Number.isNaN(value)) return "not a number";
  return value > 0 ? "infinity" : "minus infinity";
}

/**
 * A number in at most 4 significant digits, in plain decimal notation, without trailing zeros.
 *
 * @example formatNumber(0.93) // "0.93"
 * @example formatNumber(-4e-7) // "-0.0000004"
 * @example formatNumber(1.19e21) // "1190000000000000000000"
 */
export function formatNumber(value: number, significant = 4): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return trimZeros(plainDecimal(value.toPrecision(significant)));
}

/**
 * A number with at most `decimals` digits after the point, in plain decimal notation: what an axis
 * needs when its range is narrower than four significant digits can tell apart.
 *
 * @example formatFixed(0.99999912, 7) // "0.9999991"
 */
export function formatFixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const d = Math.max(0, Math.min(20, Math.round(decimals)));
  if (Math.abs(value) >= 1e21) return formatNumber(value, 21);
  return trimZeros(plainDecimal(value.toFixed(d)));
}

/**
 * An ISO time to the minute, in UTC, as Backflow's texts show signal times.
 *
 * @example formatUtcMinute("2026-11-24T06:02:11.000Z") // "2026-11-24 06:02 UTC"
 */
export function formatUtcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
