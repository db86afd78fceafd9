// Chart data handling, kept pure so it is tested without a DOM: extents with padding, nice
// ticks, downsampling long series, and SVG paths that skip missing values.

export type Point = { x: number; y: number };
export type Series = { name: string; color: string; points: Point[] };

export function extent(values: number[], pad = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    return [lo - d, hi + d];
  }
  const p = (hi - lo) * pad;
  lo -= p;
  hi += p;
  return [lo, hi];
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Keeps at most `max` points, always the first and last, evenly spaced (largest-y per bucket). */
export function downsample(points: Point[], max: number): Point[] {
  if (points.length <= max || max < 3) return points;
  const out: Point[] = [points[0]!];
  const bucket = (points.length - 2) / (max - 2);
  for (let i = 0; i < max - 2; i++) {
    const start = 1 + Math.floor(i * bucket);
    const end = Math.min(points.length - 1, 1 + Math.floor((i + 1) * bucket));
    let best = points[start]!;
    for (let j = start; j < end; j++) if (Math.abs(points[j]!.y) > Math.abs(best.y)) best = points[j]!;
    out.push(best);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** An SVG path through the points; non-finite values break the line. */
export function linePath(points: Point[], sx: (x: number) => number, sy: (y: number) => number): string {
  let d = "";
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}
