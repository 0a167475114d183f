import { Button, Form, Input, List, Steps, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { validateIdNumber } from '../../../../src/domain/id-number.js';
import { ApiError } from '../../../shared/api.js';
import { useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { DeliveryChooser } from './DeliveryChooser.js';
import { useCreateApplication, useVerifyIdentity, type ApplyKind, type DeliveryChoice, type IdentityCheck, type MaskedCardInfo, type ReplacementReason } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { reasonText, wizardMessages, type WizardText } from './wizard-messages.js';
import './cards.css';

const idTypes = ['resident_id', 'hk_macao_permit', 'taiwan_permit', 'passport'] as const;
type IdType = (typeof idTypes)[number];
type Identity = Omit<IdentityCheck, 'kind'>;

const label = (value: { zh: string; en: string }, lang: Lang) => (lang === 'en' ? value.en : value.zh);

/**
 * 卡片补办 / 卡贴补换 (seed 000): 填写信息 (name, ID type, ID number, education ID) → the masked card
 * information with the notes (a sticker: lost, or damaged while still in use) → 配送信息 (school,
 * free; or home, courier cash on delivery ≤ ¥15) → the application, whose page carries the fee
 * order (replacement only) and the progress timeline.
 */
export function ReplacementPage({ kind }: { kind: ApplyKind }) {
  const { cardId = '' } = useParams();
  const w = useMessages(wizardMessages);
  const [step, setStep] = useState(0);
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [info, setInfo] = useState<{ card: MaskedCardInfo | null; notes: { zh: string; en: string }[] } | null>(null);
  const [reason, setReason] = useState<ReplacementReason>('lost');

  return (
    <SubPage title={kind === 'sticker' ? w.stickerTitle : w.replaceTitle} backTo={cardPaths.card(cardId)}>
      <Steps current={step} style={{ '--title-font-size': '13px' }}>
        <Steps.Step title={w.stepIdentity} />
        <Steps.Step title={w.stepCard} />
        <Steps.Step title={w.stepDelivery} />
        {kind === 'replacement' && <Steps.Step title={w.stepPay} />}
      </Steps>
      {step === 0 && (
        <IdentityStep
          kind={kind}
          initial={identity}
          onVerified={(typed, result) => {
            setIdentity(typed);
            setInfo({ card: result.cards.find((c) => c.cardId === cardId) ?? null, notes: result.notes });
            setStep(1);
          }}
        />
      )}
      {step === 1 && info && (
        <CardInfoStep
          kind={kind}
          card={info.card}
          notes={info.notes}
          onBack={() => setStep(0)}
          onNext={(chosen) => {
            setReason(chosen);
            setStep(2);
          }}
        />
      )}
      {step === 2 && identity && <DeliveryStep kind={kind} cardId={cardId} identity={identity} reason={reason} onBack={() => setStep(1)} />}
    </SubPage>
  );
}

function IdentityStep({ kind, initial, onVerified }: { kind: ApplyKind; initial: Identity | null; onVerified(identity: Identity, result: { cards: MaskedCardInfo[]; notes: { zh: string; en: string }[] }): void }) {
  const w = useMessages(wizardMessages);
  const describe = useErrorText();
  const verify = useVerifyIdentity();
  const [form] = Form.useForm<Identity & { idType: IdType[] | IdType }>();
  const idTypeOf = (value: IdType[] | IdType) => (Array.isArray(value) ? value[0] : value) ?? 'resident_id';

  return (
    <div className="form-card section">
      <Form
        form={form}
        layout="horizontal"
        initialValues={initial ? { ...initial, idType: [initial.idType] } : { idType: ['resident_id'] }}
        onFinish={async (values) => {
          const typed: Identity = { name: values.name.trim(), idType: idTypeOf(values.idType), idNumber: values.idNumber.trim().toUpperCase(), educationId: values.educationId.trim() };
          try {
            onVerified(typed, await verify.mutateAsync({ kind, ...typed }));
          } catch {
            // Shown below the form.
          }
        }}
        footer={
          <Button block type="submit" color="primary" size="large" loading={verify.isPending} data-testid="wizard-verify">
            {w.next}
          </Button>
        }
      >
        <Form.Header>{w.stepIdentity}</Form.Header>
        <Form.Item name="name" label={w.name} rules={[{ required: true, message: w.namePlaceholder }]}>
          <Input placeholder={w.namePlaceholder} maxLength={32} data-testid="wizard-name" />
        </Form.Item>
        <Form.Item name="idType" label={w.idType} layout="vertical" rules={[{ required: true, message: w.idTypePlaceholder }]}>
          <SingleSelector columns={2} options={idTypes.map((value) => ({ value, label: w[`idType_${value}`] }))} data-testid="wizard-id-type" />
        </Form.Item>
        <Form.Item name="idNumber" label={w.idNumber} dependencies={['idType']} rules={[{ required: true, message: w.idNumberPlaceholder }, { validator: async (_, value: string | undefined) => checkIdNumber(w, idTypeOf(form.getFieldValue('idType') as IdType[] | IdType), value) }]}>
          <Input placeholder={w.idNumberPlaceholder} maxLength={32} autoComplete="off" data-testid="wizard-id-number" />
        </Form.Item>
        <Form.Item name="educationId" label={w.educationId} rules={[{ required: true, message: w.educationIdPlaceholder }]}>
          <Input placeholder={w.educationIdPlaceholder} inputMode="numeric" maxLength={32} data-testid="wizard-education-id" />
        </Form.Item>
      </Form>
      {verify.isError && (
        <div className="form-error" role="alert" data-testid="wizard-error">
          {describe(verify.error)}
          <MismatchDetails error={verify.error} />
        </div>
      )}
    </div>
  );
}

/**
 * A resident ID number must be one (GB 11643: 18 characters, a real birth date, the check digit):
 * a typo is caught here, before the server compares it with the student record and answers a
 * mismatch. Other documents are compared as typed. The server checks again.
 */
async function checkIdNumber(w: WizardText, idType: IdType, value: string | undefined): Promise<void> {
  if (idType !== 'resident_id' || !value?.trim()) return;
  const check = validateIdNumber(value);
  if (!check.ok) throw new Error(w[check.code]);
}

/** Which typed fields differ from the roster, and the roster's own name and ID number, masked (typos are the usual cause). */
function MismatchDetails({ error }: { error: unknown }) {
  const w = useMessages(wizardMessages);
  if (!(error instanceof ApiError) || error.code !== 'FULFILMENT_IDENTITY_MISMATCH') return null;
  const fields = Array.isArray(error.details?.fields) ? (error.details.fields as string[]) : [];
  const record = error.details?.record as { nameMasked?: string; idNumberMasked?: string } | undefined;
  const names: Record<string, string> = { name: w.name, idNumber: w.idNumber, educationId: w.educationId };
  return (
    <div data-testid="wizard-mismatch">
      {fields.length > 0 && <div>{fill(w.mismatchFields, { fields: fields.map((f) => names[f] ?? f).join(w.listJoin) })}</div>}
      {record?.nameMasked && <div>{fill(w.mismatchRecord, { name: record.nameMasked, idNumber: record.idNumberMasked ?? '—' })}</div>}
    </div>
  );
}

function CardInfoStep({ kind, card, notes, onBack, onNext }: { kind: ApplyKind; card: MaskedCardInfo | null; notes: { zh: string; en: string }[]; onBack(): void; onNext(reason: ReplacementReason): void }) {
  const w = useMessages(wizardMessages);
  const { lang } = useLang();
  const [picked, setPicked] = useState<ReplacementReason | null>(null);
  if (!card) {
    return (
      <div className="section">
        <div className="form-error" role="alert" data-testid="wizard-card-missing">{w.cardNotFound}</div>
        <Button block onClick={onBack}>{w.prev}</Button>
      </div>
    );
  }
  // What the card may be replaced for now (the server says): a sticker in use is damaged, a reported one lost.
  const reason = picked ?? card.replaceReasons[0] ?? 'lost';
  return (
    <div className="section">
      <List header={w.stepCard} mode="card" data-testid="wizard-card-info">
        <List.Item extra={<span data-testid="wizard-card-name">{card.nameMasked}</span>}>{w.name}</List.Item>
        <List.Item extra={w[`gender_${card.gender}`]}>{w.gender}</List.Item>
        <List.Item extra={card.educationId}>{w.educationId}</List.Item>
        <List.Item extra={<span data-testid="wizard-card-no">{card.beijingTongNoMasked}</span>}>{w.beijingTongNo}</List.Item>
        {card.yikatongNoMasked && <List.Item extra={<span data-testid="wizard-yikatong-no">{card.yikatongNoMasked}</span>}>{w.yikatongNo}</List.Item>}
        <List.Item extra={<span data-testid="wizard-school">{card.schoolName}</span>}>{w.schoolName}</List.Item>
        <List.Item extra={<span data-testid="wizard-category">{fill(w.categoryValue, { category: card.category, stage: label(card.categoryLabel, lang) })}</span>}>{w.category}</List.Item>
        <List.Item extra={card.classNo ?? '—'}>{w.classNo}</List.Item>
        <List.Item extra={<span data-testid="wizard-hold-status">{label(card.holdStatus, lang)}</span>}>{w.holdStatus}</List.Item>
        <List.Item extra={label(card.transitValidity, lang)}>{w.transitValidity}</List.Item>
        <List.Item extra={label(card.cardType, lang)}>{w.cardType}</List.Item>
      </List>
      {notes.length > 0 && (
        <List header={w.notes} mode="card">
          <List.Item>
            <ol className="note-list">
              {notes.map((note, i) => (
                <li key={i}>{label(note, lang)}</li>
              ))}
            </ol>
          </List.Item>
        </List>
      )}
      {kind === 'sticker' && card.replaceable && <ReasonChoice reasons={card.replaceReasons} value={reason} onChange={setPicked} />}
      {!card.replaceable && (
        <div className="form-error" role="alert" data-testid="wizard-not-replaceable">
          {reasonText(w, card.notReplaceableCode, w.notReplaceable)}
        </div>
      )}
      <div className="card-actions wizard-footer">
        <Button onClick={onBack}>{w.prev}</Button>
        <Button color="primary" disabled={!card.replaceable} onClick={() => onNext(reason)} data-testid="wizard-apply">
          {kind === 'sticker' ? w.applySticker : w.applyReplace}
        </Button>
      </div>
    </div>
  );
}

/**
 * 补换原因 for a sticker: lost (reported lost) or damaged (still in use: it keeps working until the new
 * one is picked up). Only the reasons the server offers for this card can be chosen.
 */
function ReasonChoice({ reasons, value, onChange }: { reasons: ReplacementReason[]; value: ReplacementReason; onChange(reason: ReplacementReason): void }) {
  const w = useMessages(wizardMessages);
  return (
    <List header={w.reason} mode="card" data-testid="wizard-reason" data-reason={value}>
      <List.Item description={value === 'damaged' ? w.damagedHint : w.lostHint}>
        <SingleSelector
          columns={2}
          value={[value]}
          options={reasons.map((r) => ({ value: r, label: w[`reason_${r}`] }))}
          onChange={([next]) => next && onChange(next)}
        />
      </List.Item>
    </List>
  );
}

function DeliveryStep({ kind, cardId, identity, reason, onBack }: { kind: ApplyKind; cardId: string; identity: Identity; reason: ReplacementReason; onBack(): void }) {
  const w = useMessages(wizardMessages);
  const describe = useErrorText();
  const navigate = useNavigate();
  const create = useCreateApplication();

  const submit = async (delivery: DeliveryChoice) => {
    try {
      const application = await create.mutateAsync({ kind, ...identity, cardId, reason, delivery });
      Toast.show({ icon: 'success', content: w.submitted });
      navigate(cardPaths.application(application.id), { replace: true });
    } catch {
      // Shown below.
    }
  };

  return (
    <div className="section">
      <DeliveryChooser pending={create.isPending} error={create.isError ? describe(create.error) : null} onSubmit={(choice) => void submit(choice)} back={<Button onClick={onBack}>{w.prev}</Button>} />
    </div>
  );
}
