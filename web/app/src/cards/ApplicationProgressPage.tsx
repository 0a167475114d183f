import { Button, Dialog, ErrorBlock, List, Skeleton, Steps, Tag, Toast } from 'antd-mobile';
import { useNavigate, useParams } from 'react-router';
import { formatYuan } from '../../../../src/domain/money.js';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { NoticesLink } from '../notices/NoticesLink.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { statusLabel, statusTone, weekdaysLabel } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import { moneyPaths } from '../payments/paths.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { DeliveryChooser } from './DeliveryChooser.js';
import { useApplication, useApplicationFeeOrder, useCancelApplication, useRedeliver, type ApplicationDto, type DeliveryChoice } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { wizardMessages } from './wizard-messages.js';
import './cards.css';

const label = (value: { zh: string; en: string }, lang: Lang) => (lang === 'en' ? value.en : value.zh);

/**
 * 补卡进度查询 / 卡贴进度查询: the application, its fee, its delivery, every step with its time, the
 * expected ready date; and, when a home parcel came back to the card centre, the choice of how it
 * goes out again.
 */
export function ApplicationProgressPage() {
  const { applicationId = '' } = useParams();
  const w = useMessages(wizardMessages);
  const application = useApplication(applicationId);

  let body;
  if (application.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (application.isError) {
    body =
      application.error instanceof ApiError && (application.error.status === 404 || application.error.status === 403) ? (
        <ErrorBlock status="empty" title={w.noApplication} />
      ) : (
        <LoadFailed error={application.error} onRetry={() => void application.refetch()} />
      );
  } else body = <Progress application={application.data} />;

  return (
    <SubPage title={w.progressTitle} backTo={application.data?.oldCardId ? cardPaths.card(application.data.oldCardId) : cardPaths.cards}>
      {body}
    </SubPage>
  );
}

function Progress({ application: a }: { application: ApplicationDto }) {
  const w = useMessages(wizardMessages);
  const { lang } = useLang();
  const tone = a.status === 'completed' ? 'success' : a.status === 'cancelled' ? 'default' : a.status === 'delivery_failed' || a.status === 'returned_to_centre' ? 'warning' : 'primary';
  return (
    <div data-testid="application" data-status={a.status}>
      <List mode="card" header={w[`applicationKind_${a.kind}`]}>
        <List.Item extra={<Tag color={tone} data-testid="application-status">{label(a.statusLabel, lang)}</Tag>}>{w.applicationStatus}</List.Item>
        <List.Item extra={a.studentNameMasked}>{w.name}</List.Item>
        <List.Item extra={a.schoolName}>{w.schoolName}</List.Item>
        {a.oldCardNoMasked && <List.Item extra={a.oldCardNoMasked}>{w.oldCard}</List.Item>}
        {a.kind === 'sticker' && <List.Item extra={<span data-testid="application-reason">{label(a.reasonLabel, lang)}</span>}>{w.reason}</List.Item>}
        {a.newCardNoMasked && <List.Item extra={<span data-testid="application-new-card">{a.newCardNoMasked}</span>}>{w.newCard}</List.Item>}
        <List.Item
          extra={<span data-testid="application-ready-date">{a.expectedReadyDate ?? (a.readyDateError ? '—' : w.readyAfterPayment)}</span>}
          description={a.readyDateError ? <span className="form-error-text">{lang === 'en' ? a.readyDateError.messageEn : a.readyDateError.message}</span> : w.expectedReadyHint}
        >
          {w.expectedReady}
        </List.Item>
      </List>
      <ConfirmationNeeded application={a} />
      {a.status === 'delivery_failed' && (
        <div className="form-error" role="status" style={{ margin: '0 4px 12px' }} data-testid="application-delivery-failed">
          {w.deliveryFailedNote}
        </div>
      )}
      {a.status === 'returned_to_centre' && <RedeliverySection application={a} />}
      {waitsAtSchoolLeft(a) && <RedeliverySection application={a} fromSchool />}
      <FeeSection application={a} />
      <List mode="card" header={w.stepDelivery}>
        <List.Item extra={a.delivery.method === 'home' ? w.deliveryHome : w.deliverySchool} description={a.delivery.method === 'home' ? fill(w.codFee, { amount: formatYuan(a.delivery.codFeeMaxFen) }) : w.deliverySchoolHint}>
          {w.delivery}
        </List.Item>
        {a.delivery.recipientMasked && <List.Item extra={a.delivery.recipientMasked}>{w.recipient}</List.Item>}
        {a.delivery.phoneMasked && <List.Item extra={a.delivery.phoneMasked}>{w.phone}</List.Item>}
        {a.delivery.address && <List.Item description={a.delivery.address}>{w.address}</List.Item>}
        {a.delivery.trackingNo && (
          <List.Item
            extra={<span data-testid="application-tracking-no">{a.delivery.trackingNo}</span>}
            description={a.delivery.trackingStatusLabel && <span data-testid="application-tracking-status" data-status={a.delivery.trackingStatus}>{label(a.delivery.trackingStatusLabel, lang)}</span>}
          >
            <span data-testid="application-courier">{a.delivery.courierName ? label(a.delivery.courierName, lang) : w.courier}</span> {w.trackingNo}
          </List.Item>
        )}
        <TrackingEvents application={a} />
      </List>
      {(a.balanceTransferredAt || a.balanceTransferDueAt) && (
        <div className="muted" style={{ margin: '0 4px 12px', fontSize: 13 }} data-testid="application-balance">
          {a.balanceTransferredAt
            ? fill(w.balanceMoved, { amount: formatYuan(a.balanceTransferredFen ?? 0) })
            : fill(w.balanceDue, { time: formatBeijingTime(a.balanceTransferDueAt!, lang) })}
        </div>
      )}
      {a.status === 'awaiting_payment' && !a.paidAt && <CancelButton application={a} />}
      <List mode="card" header={w.timeline}>
        <List.Item>
          <Steps direction="vertical" current={a.steps.length - 1} data-testid="application-steps">
            {a.steps.map((step, i) => (
              <Steps.Step
                key={`${step.step}-${i}`}
                status={step.step === 'cancelled' || step.step === 'delivery_failed' ? 'error' : 'finish'}
                title={<span data-testid="application-step" data-step={step.step}>{label(step.label, lang)}</span>}
                description={
                  <>
                    <span data-testid="application-step-time">{formatBeijingTime(step.at, lang)}</span>
                    {step.note && <div data-testid="application-step-note">{lang === 'en' ? (step.noteEn ?? step.note) : step.note}</div>}
                  </>
                }
              />
            ))}
          </Steps>
        </List.Item>
      </List>
    </div>
  );
}

/** 物流信息: the courier's scans (or the school parcel's story), newest first, as the console shows them. */
function TrackingEvents({ application: a }: { application: ApplicationDto }) {
  const w = useMessages(wizardMessages);
  const { lang } = useLang();
  if (a.delivery.events.length === 0) return null;
  return (
    <List.Item description={
      <ul className="tracking-events" data-testid="application-tracking-events">
        {[...a.delivery.events].reverse().map((e) => (
          <li key={e.at + e.description.zh} data-testid="application-tracking-event">
            <span className="muted">{formatBeijingTime(e.at, lang)}</span> {label(e.description, lang)}
          </li>
        ))}
      </ul>
    }>
      {w.trackingEvents}
    </List.Item>
  );
}

/**
 * 制卡信息确认: a card is only made once the holder confirmed what will be printed on it, so while
 * that is pending (or errors were reported and await the school's fix and a new confirmation) the
 * application would wait without telling anyone why. Shown until production starts.
 */
function ConfirmationNeeded({ application: a }: { application: ApplicationDto }) {
  const w = useMessages(wizardMessages);
  const navigate = useNavigate();
  const status = a.infoConfirmation?.status;
  // None opened (older applications): nothing to confirm, nothing to say.
  if (!status || status === 'confirmed' || (a.status !== 'awaiting_payment' && a.status !== 'ready_for_production')) return null;
  return (
    <div className="notice" role="status" style={{ margin: '0 4px 12px' }} data-testid="application-confirmation-needed" data-confirmation={status}>
      {status === 'reported' ? w.confirmationReportedNote : w.confirmationPendingNote}
      <Button size="small" color="warning" fill="outline" style={{ marginTop: 8, display: 'block' }} onClick={() => navigate(cardPaths.confirmation(a.studentId))} data-testid="application-confirm-link">
        {w.goConfirm}
      </Button>
    </div>
  );
}

/** The ¥15 fee (replacement only): the order to pay on the money screens, or the button that opens it in a payment window. */
function FeeSection({ application: a }: { application: ApplicationDto }) {
  const w = useMessages(wizardMessages);
  const t = useMessages(paymentMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const describe = useErrorText();
  const createOrder = useApplicationFeeOrder(a.id);
  if (a.kind === 'sticker' || a.feeFen === 0) {
    return (
      <List mode="card" header={w.feeOrder}>
        <List.Item extra={formatYuan(0)}>{a.kind === 'new_card' ? w.noFeeFirstCard : w.noFee}</List.Item>
      </List>
    );
  }
  const window = a.paymentWindow;
  const windowShut = window !== null && !window.open;
  const order = a.feeOrder;
  return (
    <List mode="card" header={w.feeOrder}>
      <List.Item extra={<span data-testid="application-fee">{formatYuan(a.feeFen)}</span>}>{w.fee}</List.Item>
      {order && (
        <List.Item
          clickable
          onClick={() => navigate(moneyPaths.order(order.id))}
          extra={a.paidAt ? formatBeijingTime(a.paidAt, lang) : <Tag color={statusTone(order)} fill="outline" data-testid="application-fee-order-status">{statusLabel(t, order)}</Tag>}
          description={<span style={{ wordBreak: 'break-all' }}>{order.orderNo}</span>}
          data-testid="application-fee-order"
        >
          {t.orderNo}
        </List.Item>
      )}
      {a.status === 'awaiting_payment' && (
        <List.Item>
          {windowShut && (
            <div className="muted" style={{ fontSize: 13, marginBottom: 8 }} data-testid="application-window">
              {fill(w.windowClosed, { days: weekdaysLabel(t, window.weekdays) })}
              <br />
              {window.next ? fill(w.windowNext, { start: window.next.startDate, end: window.next.endDate }) : <>{w.windowNone} <NoticesLink /></>}
            </div>
          )}
          {/* A cancelled or expired order cannot be paid: the button then asks for a new one. */}
          {order?.pending ? (
            <Button block color="primary" onClick={() => navigate(moneyPaths.order(order.id))} data-testid="application-pay">
              {w.payFee}
            </Button>
          ) : (
            <Button
              block
              color="primary"
              disabled={windowShut}
              loading={createOrder.isPending}
              onClick={async () => {
                try {
                  const updated = await createOrder.mutateAsync();
                  // An earlier order found paid late comes back paid: the page then shows it, nothing to open.
                  if (updated.feeOrder?.pending) navigate(moneyPaths.order(updated.feeOrder.id));
                } catch (error) {
                  Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
                }
              }}
              data-testid="application-pay"
            >
              {w.createFeeOrder}
            </Button>
          )}
        </List.Item>
      )}
    </List>
  );
}

/** A replacement or sticker waiting at a school its student no longer attends: not collected there, it is sent home (docs/cards.md). */
const waitsAtSchoolLeft = (a: ApplicationDto) => a.kind !== 'new_card' && a.status === 'delivered' && a.delivery.method === 'school' && a.studentEnrolment !== 'enrolled';

/**
 * 重新配送: the parcel is back at the card centre; home again (any address, cash on delivery) or to
 * the school. `fromSchool`: 改为快递到家, the card waits at a school the student has left; home only.
 */
function RedeliverySection({ application, fromSchool = false }: { application: ApplicationDto; fromSchool?: boolean }) {
  const w = useMessages(wizardMessages);
  const describe = useErrorText();
  const redeliver = useRedeliver(application.id);
  const submit = async (choice: DeliveryChoice) => {
    try {
      await redeliver.mutateAsync(choice);
      Toast.show({ icon: 'success', content: w.redelivered });
    } catch {
      // Shown in the section.
    }
  };
  return (
    <div className="section" data-testid={fromSchool ? 'send-home' : 'redelivery'}>
      <List mode="card" header={fromSchool ? w.sendHomeTitle : w.redeliveryTitle}>
        <List.Item>
          <div style={{ fontSize: 13 }}>{fromSchool ? w.sendHomeIntro : w.redeliveryIntro}</div>
        </List.Item>
      </List>
      <DeliveryChooser homeOnly={fromSchool} pending={redeliver.isPending} error={redeliver.isError ? describe(redeliver.error) : null} onSubmit={(choice) => void submit(choice)} submitLabel={fromSchool ? w.sendHomeSubmit : w.redeliverySubmit} />
    </div>
  );
}

function CancelButton({ application }: { application: ApplicationDto }) {
  const w = useMessages(wizardMessages);
  const describe = useErrorText();
  const cancel = useCancelApplication(application.id);
  const run = async () => {
    if (!(await Dialog.confirm({ content: w.cancelConfirm }))) return;
    try {
      await cancel.mutateAsync();
      Toast.show({ icon: 'success', content: w.cancelled });
    } catch (error) {
      Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    }
  };
  return (
    <div style={{ margin: '0 0 12px' }}>
      <Button block fill="outline" loading={cancel.isPending} onClick={() => void run()} data-testid="application-cancel">
        {w.cancelApplication}
      </Button>
    </div>
  );
}
