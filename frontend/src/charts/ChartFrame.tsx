// The frame every chart shares: a panel with the chart's title and a colour legend.
import type { ReactNode } from "react";

export type LegendItem = { name: string; color: string };

export function ChartFrame({ title, legend, children }: { title: string; legend: readonly LegendItem[]; children: ReactNode }) {
  return (
    <figure className="panel" style={{ margin: 0 }}>
      <figcaption className="row">
        <strong>{title}</strong>
        <span className="spacer" />
        <span className="chart-legend">
          {legend.map((item) => (
            <span key={item.name}>
              <span className="swatch" style={{ background: item.color }} />
              {item.name}
            </span>
          ))}
        </span>
      </figcaption>
      {children}
    </figure>
  );
}
