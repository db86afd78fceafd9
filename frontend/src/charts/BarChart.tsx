// Grouped bars in SVG for comparisons (base vs tuned, LoRA vs QLoRA vs full).
import { extent, linear, ticks } from "./scale.ts";
import { formatNumber } from "../ui/format.ts";
import { ChartFrame } from "./ChartFrame.tsx";

export type BarGroup = { label: string; values: { name: string; value: number; color: string }[] };

export function BarChart({
  groups,
  title,
  format = (v: number) => formatNumber(v, 3),
  height = 200,
}: {
  groups: BarGroup[];
  title: string;
  format?: (v: number) => string;
  height?: number;
}) {
  const width = 520;
  const m = { l: 56, r: 10, t: 16, b: 30 };
  const all = groups.flatMap((g) => g.values.map((v) => v.value));
  const [, hi] = extent([0, ...all], 0.1);
  const sy = linear([0, hi], [height - m.b, m.t]);
  const gw = (width - m.l - m.r) / Math.max(1, groups.length);
  const names = groups[0]?.values ?? [];
  return (
    <ChartFrame title={title} legend={names}>
      <svg
        className="chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${groups.map((g) => `${g.label} ${g.values.map((v) => `${v.name} ${format(v.value)}`).join(" ")}`).join("; ")}`}
      >
        {ticks(0, hi, 4).map((t) => (
          <g key={t}>
            <line x1={m.l} x2={width - m.r} y1={sy(t)} y2={sy(t)} stroke="#eef0f5" />
            <text x={m.l - 6} y={sy(t) + 4} textAnchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        {groups.map((g, gi) => {
          const bw = (gw * 0.75) / Math.max(1, g.values.length);
          return (
            <g key={g.label}>
              {g.values.map((v, vi) => {
                const x = m.l + gi * gw + gw * 0.125 + vi * bw;
                const y = sy(Math.max(0, v.value));
                return (
                  <g key={v.name}>
                    <rect x={x} y={y} width={bw - 2} height={Math.max(0, height - m.b - y)} fill={v.color} rx={2} />
                    <text x={x + bw / 2 - 1} y={y - 3} textAnchor="middle" style={{ fontSize: 10 }}>
                      {format(v.value)}
                    </text>
                  </g>
                );
              })}
              <text x={m.l + gi * gw + gw / 2} y={height - 10} textAnchor="middle">
                {g.label}
              </text>
            </g>
          );
        })}
        <line className="axis" x1={m.l} x2={width - m.r} y1={height - m.b} y2={height - m.b} />
      </svg>
    </ChartFrame>
  );
}
