import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJs,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { type ReactNode, useEffect, useRef } from 'react';

// Only the pieces the console draws, so the rest of Chart.js stays out of the bundle.
ChartJs.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);
ChartJs.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
ChartJs.defaults.color = '#1f2933';

/** Okabe–Ito colours: told apart with every common kind of colour blindness. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
];

/**
 * A Chart.js chart in a figure. The canvas carries a text summary for screen readers, and the
 * same figures are always available as a table below it.
 */
export function Chart({
  id,
  config,
  summary,
  caption,
  table,
  tall,
}: {
  id: string;
  config: ChartConfiguration;
  /** What the chart shows, in one or two sentences. */
  summary: string;
  caption: string;
  table: ReactNode;
  tall?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new ChartJs(canvas.current, {
      ...config,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // Drawn at once: nothing moves for people who find motion distracting.
        animation: false,
        ...config.options,
      },
    });
    return () => chart.destroy();
  }, [config]);
  return (
    <figure className="chart" data-chart={id}>
      <figcaption>{caption}</figcaption>
      <div className={tall ? 'chart-box chart-box-tall' : 'chart-box'}>
        <canvas ref={canvas} role="img" aria-label={summary} id={`chart-${id}`}>
          {summary}
        </canvas>
      </div>
      <details>
        <summary>The figures as a table</summary>
        {table}
      </details>
    </figure>
  );
}
