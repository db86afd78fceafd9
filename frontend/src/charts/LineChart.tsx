// A light line chart in hand-written SVG (no chart library): axes, ticks, legend, and a text
// summary for screen readers.
import { downsample, extent, linePath, linear, ticks, type Series } from "./scale.ts";
import { formatNumber } from "../ui/format.ts";
import { ChartFrame } from "./ChartFrame.tsx";

export function LineChart({
  series,
  title,
  height = 180,
  xLabel = "step",
  yFormat = (v: number) => formatNumber(v, 3),
  logY = false,
}: {
  series: Series[];
  title: string;
  height?: number;
  xLabel?: string;
  yFormat?: (v: number) => string;
  logY?: boolean;
}) {
  const width = 520;
  const m = { l: 52, r: 10, t: 10, b: 26 };
  const tf = (y: number) => (logY ? Math.log10(Math.max(y, 1e-12)) : y);
  const shown = series.map((s) => ({ ...s, points: downsample(s.points, 400) }));
  const xs = shown.flatMap((s) => s.points.map((p) => p.x));
  const ys = shown.flatMap((s) => s.points.map((p) => tf(p.y)));
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = extent(ys);
  const sx = linear([x0, x1 === x0 ? x0 + 1 : x1], [m.l, width - m.r]);
  const sy = linear([y0, y1], [height - m.b, m.t]);
  const last = shown.map((s) => `${s.name} ${s.points.length ? yFormat(s.points[s.points.length - 1]!.y) : "no data"}`).join(", ");
  return (
    <ChartFrame title={title} legend={shown}>
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: latest ${last}`}>
        <line className="axis" x1={m.l} x2={width - m.r} y1={height - m.b} y2={height - m.b} />
        <line className="axis" x1={m.l} x2={m.l} y1={m.t} y2={height - m.b} />
        {ticks(y0, y1, 4).map((t) => (
          <g key={t}>
            <line x1={m.l} x2={width - m.r} y1={sy(t)} y2={sy(t)} stroke="#eef0f5" />
            <text x={m.l - 6} y={sy(t) + 4} textAnchor="end">
              {yFormat(logY ? 10 ** t : t)}
            </text>
          </g>
        ))}
        {ticks(x0, x1, 5).map((t) => (
          <text key={t} x={sx(t)} y={height - 8} textAnchor="middle">
            {formatNumber(t)}
          </text>
        ))}
        <text x={width - m.r} y={height - m.b - 4} textAnchor="end">
          {xLabel}
        </text>
        {shown.map((s) => (
          <path
            key={s.name}
            d={linePath(
              s.points.map((p) => ({ x: p.x, y: tf(p.y) })),
              sx,
              sy,
            )}
            fill="none"
            stroke={s.color}
            strokeWidth={1.8}
          />
        ))}
      </svg>
      {xs.length === 0 ? <p className="hint">Waiting for data…</p> : null}
    </ChartFrame>
  );
}
