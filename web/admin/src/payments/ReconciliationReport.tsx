import { Card, Col, Empty, Result, Row, Statistic, Table, Tag, Typography } from 'antd';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { payLabel, paymentMessages, type PaymentTexts } from './messages.js';
import { billReasonKey } from './billReasons.js';
import { formatFen } from './money.js';
import type { Reconciliation } from './types.js';

type Finding = Reconciliation['findings'][number];
/** Why the bill was not used, in words; an unknown reason as a general sentence with its code in small text. The raw reason on hover. */
function BillUnavailable({ p, reason }: { p: PaymentTexts; reason: string }) {
  const key = billReasonKey(reason);
  return (
    <Typography.Text type="secondary" title={`${p.billUnavailable}: ${reason}`} data-testid="recon-bill-reason">
      {key ? p[key] : <>{p.billOtherReason} <Typography.Text code style={{ fontSize: 12 }}>{reason}</Typography.Text></>}
    </Typography.Text>
  );
}
/** A figure only the bill file gives (refunds, fees): a dash on the query path. */
const billFigure = (fen: number | null) => (fen === null ? '—' : formatFen(fen));

/** A day's report: gateway vs ledger per gateway, the differences by kind (counts), and each difference. */
export function ReconciliationReport({ report }: { report: Reconciliation }) {
  const p = useMessages(paymentMessages);
  const { lang } = useLang();
  const gateways = (['alipay', 'wechat'] as const).map((gateway) => ({ gateway, ...report.totals[gateway] }));
  const byKind = new Map<string, number>();
  for (const finding of report.findings) byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);

  return (
    <div data-testid="reconciliation-report" data-balanced={String(report.balanced)}>
      {report.balanced ? (
        <Result status="success" title={p.reconBalanced} subTitle={p.reconBalancedNote} data-testid="recon-balanced" style={{ padding: '16px 0' }} />
      ) : (
        <Result status="warning" title={p.reconUnbalanced} data-testid="recon-unbalanced" style={{ padding: '16px 0' }} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}><Statistic title={p.reconOrders} value={report.orders} /></Col>
        <Col xs={12} md={6}><Statistic title={p.reconFindings} value={report.findings.length} /></Col>
        <Col xs={24} md={12}><Statistic title={p.reconRanAt} value={formatBeijingTime(report.ranAt, lang)} /></Col>
      </Row>
      <Card size="small" title={`${p.gatewayPaid} / ${p.ledgerBooked}`} style={{ marginTop: 16 }}>
        <Table size="small" rowKey="gateway" pagination={false} dataSource={gateways} data-testid="recon-totals" columns={[
          { title: p.gateway, dataIndex: 'gateway', render: (g: string) => payLabel(p, 'gateway', g) },
          {
            title: p.reconSource, dataIndex: 'source',
            render: (source: string, row) => (
              <span data-testid={`recon-source-${row.gateway}`} data-source={source}>
                <Tag color={source === 'bill' ? 'green' : 'default'}>{payLabel(p, 'source', source)}</Tag>
                {row.billUnavailable && <BillUnavailable p={p} reason={row.billUnavailable} />}
              </span>
            ),
          },
          { title: p.gatewayPaid, dataIndex: 'gatewayPaidFen', align: 'right', render: formatFen },
          { title: p.ledgerBooked, dataIndex: 'ledgerBookedFen', align: 'right', render: formatFen },
          {
            title: p.difference, key: 'diff', align: 'right',
            render: (_, row) => {
              const diff = row.gatewayPaidFen - row.ledgerBookedFen;
              return <Typography.Text type={diff === 0 ? undefined : 'danger'}>{formatFen(diff)}</Typography.Text>;
            },
          },
          { title: p.gatewayRefunded, dataIndex: 'gatewayRefundedFen', align: 'right', render: billFigure },
          { title: p.gatewayFees, dataIndex: 'feesFen', align: 'right', render: (fen: number | null, row) => <span data-testid={`recon-fees-${row.gateway}`}>{billFigure(fen)}</span> },
        ]} />
      </Card>
      <Card size="small" title={p.reconFindings} style={{ marginTop: 16 }}>
        {byKind.size > 0 && (
          <div style={{ marginBottom: 12 }} data-testid="recon-kind-counts">
            {[...byKind].map(([kind, n]) => (
              <Tag key={kind} color={report.findings.some((f) => f.kind === kind && f.needsAttention) ? 'red' : 'blue'}>
                {payLabel(p, 'finding', kind)} × {n}
              </Tag>
            ))}
          </div>
        )}
        <Table<Finding>
          size="small"
          rowKey={(row, i) => `${row.kind}-${row.orderNo ?? ''}-${i ?? 0}`}
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={report.findings}
          data-testid="recon-findings"
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={p.reconBalanced} /> }}
          columns={[
            { title: p.findingKind, dataIndex: 'kind', render: (kind: Finding['kind'], row) => <Tag color={row.needsAttention ? 'red' : 'blue'} data-testid="recon-finding-kind" data-attention={String(row.needsAttention)}>{payLabel(p, 'finding', kind)}</Tag> },
            { title: p.orderNo, dataIndex: 'orderNo', render: (no: string | null) => (no ? <Typography.Text code>{no}</Typography.Text> : '—') },
            { title: p.gateway, dataIndex: 'gateway', render: (g: string | null) => (g ? payLabel(p, 'gateway', g) : '—') },
            { title: p.detail, dataIndex: 'detail' },
          ]}
        />
      </Card>
    </div>
  );
}
