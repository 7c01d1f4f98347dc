import { useTranslation } from "react-i18next";

import type { OrderSummary } from "../../../protocol/api/orders";
import { useFormat } from "../i18n/use-format";

const DAYS = 14;
const WIDTH = 320;
const HEIGHT = 120;
// Orders that brought money in: everything paid, whatever happened after, except a refund.
const SOLD = new Set(["paid", "shipped", "delivered", "disputed", "resolved"]);

/** Paid sales per day over the last two weeks, as plain SVG bars (one currency: the shop has one). */
export function SalesChart({ orders }: { orders: OrderSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const days = Array.from({ length: DAYS }, (_, i) => new Date(today.getTime() - (DAYS - 1 - i) * 86_400_000));
  const totals = days.map(() => 0);
  for (const order of orders) {
    if (!SOLD.has(order.status) || order.paidAt === null) continue;
    const paid = new Date(order.paidAt);
    paid.setHours(0, 0, 0, 0);
    const index = days.findIndex((day) => day.getTime() === paid.getTime());
    if (index >= 0) totals[index] += order.totalMinor;
  }
  const currency = orders[0]?.currency ?? "USD";
  const max = Math.max(...totals, 1);
  const sum = totals.reduce((a, b) => a + b, 0);
  const barWidth = WIDTH / DAYS;
  return (
    <figure className="sales-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={t("farmer.chartLabel", { total: format.money(sum, currency) })}
      >
        {totals.map((total, i) => {
          const height = Math.round((total / max) * (HEIGHT - 4));
          return (
            <rect
              key={days[i].toISOString()}
              x={i * barWidth + 2}
              y={HEIGHT - height}
              width={barWidth - 4}
              height={height}
              fill="currentColor"
            >
              <title>{`${format.date(days[i].toISOString())}: ${format.money(total, currency)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>{t("farmer.chartCaption", { total: format.money(sum, currency) })}</figcaption>
    </figure>
  );
}
