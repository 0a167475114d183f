import { Button, List, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { formatYuan } from '../../../../src/domain/money.js';
import { useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { fill } from '../ui/text.js';
import { transitMessages } from './messages.js';
import { transitPaths } from './paths.js';
import { useRailMonth, type RailMonth } from './queries.js';
import { railMonthNext, railMonthStatus, rateText } from './rates.js';

/** The bar's right end: a little past the last tier, or past the spend when it is higher. */
function scaleOf(month: RailMonth): number {
  const last = month.tiers.at(-1)?.fromSpentFen ?? 40_000;
  return Math.max(Math.round(last * 1.125), Math.round(month.spentFen * 1.05), 1);
}

/** 本月轨道累计: this month's rail spend on a bar marked at the ¥100 / ¥150 / ¥400 tiers, and the rate now. */
export function RailMonthPanel({ cardId }: { cardId: string }) {
  const t = useMessages(transitMessages);
  const navigate = useNavigate();
  const month = useRailMonth(cardId);

  let body;
  if (month.isPending) body = <Skeleton.Paragraph lineCount={3} animated />;
  else if (month.isError) body = <LoadFailed error={month.error} onRetry={() => void month.refetch()} />;
  else {
    const m = month.data;
    const scale = scaleOf(m);
    const at = (fen: number) => `${Math.min(100, (fen / scale) * 100).toFixed(2)}%`;
    body = (
      <div className="rail-month" data-testid="rail-month" data-spent-fen={m.spentFen} data-rate={m.currentRatePercent}>
        <div className="rail-month-head">
          <span className="rail-month-spent" data-testid="rail-month-spent">{formatYuan(m.spentFen)}</span>
          <span className="rail-month-rate" data-testid="rail-month-rate">{fill(t.currentRate, { rate: rateText(t, m.currentRatePercent, m.tiers.some((x) => x.reached)) })}</span>
        </div>
        <div className="muted">{fill(t.railMonthRides, { month: m.month, n: m.rides })}</div>
        <div className="rail-bar" data-testid="rail-bar" role="meter" aria-valuemin={0} aria-valuemax={scale} aria-valuenow={m.spentFen} aria-label={t.railMonthTitle}>
          <div className="rail-bar-fill" style={{ width: at(m.spentFen) }} />
          {m.tiers.map((tier) => (
            <div
              key={tier.fromSpentFen}
              className={`rail-bar-mark${tier.reached ? ' reached' : ''}`}
              style={{ left: at(tier.fromSpentFen) }}
              data-testid="rail-tier"
              data-from-fen={tier.fromSpentFen}
              data-reached={tier.reached ? 'true' : 'false'}
            >
              <span className="rail-bar-label">¥{tier.fromSpentFen / 100}</span>
              <span className="rail-bar-rate">{rateText(t, tier.ratePercent, true).trim()}</span>
            </div>
          ))}
        </div>
        <div className="rail-month-status" data-testid="rail-month-status">{railMonthStatus(t, m)}</div>
        <div className="muted" data-testid="rail-month-next">{railMonthNext(t, m)}</div>
        <div className="muted rail-month-rule">{t.tierRule}</div>
        <Button size="small" fill="outline" color="primary" onClick={() => navigate(transitPaths.faresForRail(m.spentFen))} data-testid="rail-month-try">
          {t.tryNext}
        </Button>
      </div>
    );
  }
  return (
    <List header={t.railMonthTitle} mode="card">
      <List.Item>{body}</List.Item>
    </List>
  );
}
