/**
 * The volume histogram: the `/histogram` buckets as bars, drawn by uPlot (canvas, ~50 KiB, no
 * dependencies). Click-drag over the chart selects a time range: `onZoom` gets it as ISO 8601.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Histogram } from './api.js';

/** Milliseconds of each interval name the API answers with. */
const INTERVAL_MS: Record<string, number> = { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '6h': 21600e3, '1d': 86400e3 };

export class VolumeChart {
  private plot: uPlot | null = null;
  private intervalMs = 60e3;

  /** @param onZoom called with the selected range (`from` < `to`, ISO 8601) after a drag */
  constructor(private readonly host: HTMLElement, private readonly onZoom: (from: string, to: string) => void) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  /** Draws `h` (replacing what was drawn). */
  show(h: Histogram): void {
    this.intervalMs = INTERVAL_MS[h.interval] ?? 60e3;
    const xs = h.buckets.map((b) => Date.parse(b[0]) / 1000);
    const ys = h.buckets.map((b) => b[1]);
    const data: uPlot.AlignedData = [xs, ys];
    if (this.plot !== null) {
      this.plot.setData(data);
      return;
    }
    const opts: uPlot.Options = {
      ...this.size(),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{}, { size: 56 }],
      series: [
        {},
        {
          label: 'events',
          stroke: '#3b6fb6',
          fill: 'rgba(59,111,182,0.45)',
          paths: uPlot.paths.bars!({ size: [0.9, 64], align: 1 }),
          points: { show: false },
        },
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const from = u.posToVal(u.select.left, 'x') * 1000;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            // snap to whole buckets so the zoomed histogram lines up with this one
            const a = Math.floor(from / this.intervalMs) * this.intervalMs;
            const b = Math.max(a + this.intervalMs, Math.ceil(to / this.intervalMs) * this.intervalMs);
            this.onZoom(new Date(a).toISOString(), new Date(b).toISOString());
          },
        ],
      },
    };
    this.plot = new uPlot(opts, data, this.host);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.host.clientWidth), height: 140 };
  }
}
