import { shanghaiDate } from '../../domain/calendar.js';
import { DomainError } from '../../domain/errors.js';
import { maskCardNo, maskName, maskPhone } from '../../domain/masking.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { paymentWindowStatus, workingDaysAfter } from '../calendar/calendar.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { orderView } from '../payments/order-view.js';
import { paymentsRepository } from '../payments/payments.repository.js';
import { applicationStatusLabels, confirmationStatusLabels, deliveryStatusLabels, homeDeliveryCodMaxFen, productionWorkingDays, reasonLabels, stepLabels } from './card-face.js';
import { courierDisplayName } from './courier.js';
import { enrolmentAt } from './first-card.js';
import type { ApplicationDto, ApplicationStep } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';

/**
 * 补卡进度: the expected ready date, 20 working days after payment (a sticker: after the
 * application) on the holiday calendar. A year the calendar does not hold gives no date but the
 * calendar's own error, so the app can say why instead of guessing.
 */
export async function expectedReadyDate(db: DbOrTx, app: Pick<ApplicationRow, 'kind' | 'paid_at' | 'created_at' | 'status'>): Promise<{ date: string | null; error: ApplicationDto['readyDateError'] }> {
  if (app.status === 'cancelled') return { date: null, error: null };
  const from = app.kind === 'replacement' ? app.paid_at : app.created_at;
  if (!from) return { date: null, error: null };
  try {
    return { date: await workingDaysAfter(db, shanghaiDate(from), productionWorkingDays), error: null };
  } catch (error) {
    if (error instanceof DomainError) return { date: null, error: { code: error.code, message: error.messageZh, messageEn: error.messageEn } };
    throw error;
  }
}

async function paymentWindowOf(db: DbOrTx, clock: Clock): Promise<ApplicationDto['paymentWindow']> {
  try {
    return await paymentWindowStatus(db, clock);
  } catch (error) {
    if (error instanceof DomainError) return null; // the calendar for today is not loaded
    throw error;
  }
}

export async function applicationView(db: DbOrTx, clock: Clock, app: ApplicationRow, options: { showAddress?: boolean } = {}): Promise<ApplicationDto> {
  const [student, schoolName, oldCard, newCard, steps, ready, confirmation] = await Promise.all([
    db.selectFrom('students').select(['name', 'status', 'school_id']).where('id', '=', app.student_id).executeTakeFirstOrThrow(),
    repo.schoolName(db, app.school_id),
    app.old_card_id ? cardsRepository.findCard(db, app.old_card_id) : Promise.resolve(undefined),
    app.new_card_id ? cardsRepository.findCard(db, app.new_card_id) : Promise.resolve(undefined),
    repo.stepsOf(db, app.id),
    expectedReadyDate(db, app),
    repo.confirmationOfStudent(db, app.student_id),
  ]);
  const order = app.fee_order_id ? await paymentsRepository.findOrder(db, app.fee_order_id) : undefined;
  const delivery = app.delivery_id ? await repo.findDelivery(db, app.delivery_id) : undefined;
  const newCardNo = newCard?.card_no ?? app.new_card_no;
  return {
    id: app.id,
    kind: app.kind,
    status: app.status,
    statusLabel: applicationStatusLabels[app.status],
    studentId: app.student_id,
    studentNameMasked: maskName(student.name),
    studentEnrolment: enrolmentAt(student, app.school_id),
    schoolId: app.school_id,
    schoolName: schoolName ?? '',
    oldCardId: app.old_card_id,
    oldCardNoMasked: oldCard ? maskCardNo(oldCard.card_no) : null,
    reason: app.reason,
    reasonLabel: reasonLabels[app.reason],
    newCardId: app.new_card_id,
    newCardNoMasked: newCardNo ? maskCardNo(newCardNo) : null,
    delivery: {
      method: app.delivery_method,
      recipientMasked: app.recipient ? maskName(app.recipient) : null,
      phoneMasked: app.phone ? maskPhone(app.phone) : null,
      address: options.showAddress === false ? null : app.address,
      codFeeMaxFen: app.delivery_method === 'home' ? homeDeliveryCodMaxFen : 0,
      courier: delivery?.courier ?? null,
      courierName: courierDisplayName(delivery?.courier ?? null),
      trackingNo: delivery?.tracking_no ?? null,
      trackingStatus: delivery ? delivery.status : null,
      trackingStatusLabel: delivery ? deliveryStatusLabels[delivery.status] : null,
      events: delivery?.events ?? [],
    },
    infoConfirmation: confirmation ? { status: confirmation.status, statusLabel: confirmationStatusLabels[confirmation.status] } : null,
    feeFen: app.fee_fen,
    feeOrder: order ? orderView(order, clock) : null,
    paidAt: app.paid_at?.toISOString() ?? null,
    batchId: app.batch_id,
    steps: steps.map((s) => ({ step: s.step as ApplicationStep, label: stepLabels[s.step as ApplicationStep], at: s.at.toISOString(), note: s.note, noteEn: s.note_en ?? s.note })),
    expectedReadyDate: ready.date,
    readyDateError: ready.error,
    paymentWindow: app.status === 'awaiting_payment' ? await paymentWindowOf(db, clock) : null,
    balanceTransferDueAt: app.balance_transfer_due_at?.toISOString() ?? null,
    balanceTransferredAt: app.balance_transferred_at?.toISOString() ?? null,
    balanceTransferredFen: app.balance_transferred_fen,
    createdAt: app.created_at.toISOString(),
    updatedAt: app.updated_at.toISOString(),
  };
}
