// graph-ts number representations on the host side: BigInt as signed little-endian two's
// complement bytes (as graph-node encodes them), and BigDecimal as digits × 10^exp rounded to
// 34 significant digits, like graph-node's BigDecimal.

/** Signed little-endian two's complement → bigint. */
export function bigIntFromLE(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n;
}

/** bigint → the shortest signed little-endian two's complement bytes (at least one). */
export function bigIntToLE(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.push(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

/** Unsigned big-endian bytes → bigint. */
export function bigIntFromBE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export const BIG_DECIMAL_PRECISION = 34;

/** A decimal number digits × 10^exp, normalized (no trailing zero digits). */
export type Decimal = { digits: bigint; exp: bigint };

const abs = (n: bigint) => (n < 0n ? -n : n);

/** Drops trailing zeros and rounds (half even) to 34 significant digits. */
export function normalizeDecimal(d: Decimal): Decimal {
  let { digits, exp } = d;
  if (digits === 0n) return { digits: 0n, exp: 0n };
  const length = abs(digits).toString().length;
  if (length > BIG_DECIMAL_PRECISION) {
    const drop = BigInt(length - BIG_DECIMAL_PRECISION);
    const divisor = 10n ** drop;
    let q = digits / divisor;
    const r = abs(digits % divisor);
    const half = divisor / 2n;
    if (r > half || (r === half && abs(q) % 2n === 1n)) q += digits < 0n ? -1n : 1n;
    digits = q;
    exp += drop;
  }
  while (digits !== 0n && digits % 10n === 0n) {
    digits /= 10n;
    exp += 1n;
  }
  return { digits, exp };
}

export function parseDecimal(s: string): Decimal {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new Error(`"${s}" is not a decimal number`);
  const fraction = m[3] ?? "";
  let digits = BigInt((m[2] || "0") + fraction);
  if (m[1] === "-") digits = -digits;
  return normalizeDecimal({ digits, exp: BigInt(m[4] ?? "0") - BigInt(fraction.length) });
}

export function formatDecimal(d: Decimal): string {
  const { digits, exp } = normalizeDecimal(d);
  const sign = digits < 0n ? "-" : "";
  const s = abs(digits).toString();
  if (exp >= 0n) return sign + s + "0".repeat(Number(exp));
  const point = s.length + Number(exp);
  if (point > 0) return `${sign}${s.slice(0, point)}.${s.slice(point)}`;
  return `${sign}0.${"0".repeat(-point)}${s}`;
}

function align(a: Decimal, b: Decimal): [bigint, bigint, bigint] {
  const exp = a.exp < b.exp ? a.exp : b.exp;
  return [a.digits * 10n ** (a.exp - exp), b.digits * 10n ** (b.exp - exp), exp];
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return normalizeDecimal({ digits: x + y, exp });
}

export function subDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return normalizeDecimal({ digits: x - y, exp });
}

export function mulDecimal(a: Decimal, b: Decimal): Decimal {
  return normalizeDecimal({ digits: a.digits * b.digits, exp: a.exp + b.exp });
}

export function divDecimal(a: Decimal, b: Decimal): Decimal {
  if (b.digits === 0n) throw new Error("attempt to divide by zero");
  // Scale the dividend so the quotient keeps more than the precision, then round.
  const scale = BigInt(BIG_DECIMAL_PRECISION + 2 + abs(b.digits).toString().length);
  const digits = (a.digits * 10n ** scale) / b.digits;
  return normalizeDecimal({ digits, exp: a.exp - b.exp - scale });
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}
