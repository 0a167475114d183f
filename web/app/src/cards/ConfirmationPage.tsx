import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Dialog, ErrorBlock, Form, Input, List, Selector, Skeleton, Tag, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { SubPage } from '../ui/SubPage.js';
import { SingleSelector } from '../ui/SingleSelector.js';
import { fill, useErrorText } from '../ui/text.js';
import { confirmationMessages } from './confirmation-messages.js';
import { useConfirmation, useConfirmationAction, type ConfirmationDto, type Correction } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { wizardMessages, type WizardText } from './wizard-messages.js';
import './cards.css';

type Field = Correction['field'];
/** What a family may report wrong: not the education ID, which no one here can change (docs/cards.md). */
const fields: readonly Field[] = ['schoolName', 'name', 'gender', 'validUntil', 'photo'];

/** A reported value as the family reads it: a gender in words. */
function valueText(w: WizardText, c: Pick<Correction, 'field' | 'correctValue'>): string {
  if (c.field === 'gender' && (c.correctValue === 'M' || c.correctValue === 'F')) return w[`gender_${c.correctValue}`];
  return c.correctValue ?? '—';
}

/**
 * 制卡信息确认 (seed 001): the student or a parent checks every field to be printed and the photo,
 * confirms, or reports the wrong fields with their corrections; after the school's fix, confirms again.
 */
export function ConfirmationPage() {
  const { studentId = '' } = useParams();
  const w = useMessages(wizardMessages);
  const confirmation = useConfirmation(studentId);

  let body;
  if (confirmation.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (confirmation.isError) {
    body =
      confirmation.error instanceof ApiError && confirmation.error.status === 404 ? (
        <ErrorBlock status="empty" title={w.noConfirmation} data-testid="confirmation-none" />
      ) : (
        <LoadFailed error={confirmation.error} onRetry={() => void confirmation.refetch()} />
      );
  } else body = <Confirmation record={confirmation.data} />;

  return (
    <SubPage title={w.confirmTitle} backTo={cardPaths.cards}>
      {body}
    </SubPage>
  );
}

function Confirmation({ record }: { record: ConfirmationDto }) {
  const w = useMessages(wizardMessages);
  const m = useMessages(confirmationMessages);
  const { lang } = useLang();
  const describe = useErrorText();
  const action = useConfirmationAction(record.id);
  const [showName, setShowName] = useState(false);
  const [reporting, setReporting] = useState(false);
  const face = record.face;

  const confirm = async () => {
    if (!(await Dialog.confirm({ content: w.confirmOkConfirm }))) return;
    try {
      await action.mutateAsync({ kind: 'confirm' });
      Toast.show({ icon: 'success', content: w.confirmed });
    } catch (error) {
      Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    }
  };

  const tone = record.status === 'confirmed' ? 'success' : record.status === 'reported' ? 'warning' : 'primary';
  return (
    <div data-testid="confirmation" data-status={record.status}>
      <div className="muted" style={{ fontSize: 13, margin: '0 4px 12px' }}>{w.confirmIntro}</div>
      {record.status === 'pending' && record.round > 0 && record.fixNote && (
        <div className="notice" role="status" data-testid="confirmation-fixed">{fill(w.schoolFixed, { note: record.fixNote })}</div>
      )}
      <List mode="card" header={w.confirmTitle}>
        <List.Item extra={<Tag color={tone} data-testid="confirmation-status">{lang === 'en' ? record.statusLabel.en : record.statusLabel.zh}</Tag>}>{w.confirmStatus}</List.Item>
        <List.Item extra={<StudentPhoto studentId={record.studentId} width={72} />} description={face.hasPhoto ? w.hasPhoto : w.noPhoto}>
          {w.photo}
        </List.Item>
        <List.Item extra={face.schoolName}>{w.field_schoolName}</List.Item>
        <List.Item
          extra={
            <span>
              <span data-testid="confirmation-name">{showName ? face.name : face.nameMasked}</span>{' '}
              <Button size="mini" fill="none" aria-label={w.field_name} onClick={() => setShowName((v) => !v)} data-testid="confirmation-reveal">
                {showName ? <EyeInvisibleOutlined /> : <EyeOutlined />}
              </Button>
            </span>
          }
        >
          {w.field_name}
        </List.Item>
        <List.Item extra={w[`gender_${face.gender}`]}>{w.field_gender}</List.Item>
        <List.Item extra={face.educationId} description={record.status === 'pending' ? m.educationIdHint : undefined}>{w.field_educationId}</List.Item>
        {/* The date printed on the card being made (graduation), not the validity of the card in use (extended yearly). */}
        <List.Item extra={face.validUntil} description={w.faceValidUntilHint} data-testid="confirmation-face-valid-until">{w.faceValidUntil}</List.Item>
        {record.confirmedAt && <List.Item extra={formatBeijingTime(record.confirmedAt, lang)}>{w.confirmed}</List.Item>}
      </List>
      {record.corrections.length > 0 && record.status !== 'confirmed' && (
        <List mode="card" header={w.correctionsSent}>
          {record.corrections.map((c) => (
            <List.Item key={c.field} description={c.note ?? undefined} extra={valueText(w, c)}>
              {w[`field_${c.field}`]}
            </List.Item>
          ))}
        </List>
      )}
      {record.status === 'pending' && !reporting && !face.hasPhoto && (
        <div className="notice" role="status" data-testid="confirmation-photo-missing">{m.photoMissingHint}</div>
      )}
      {record.status === 'pending' && !reporting && (
        <div className="card-actions wizard-footer">
          <Button color="warning" fill="outline" onClick={() => setReporting(true)} data-testid="confirmation-report">
            {w.reportErrors}
          </Button>
          {/* The card photo is an identity check: nothing to confirm until the school has taken it (FULFILMENT_PHOTO_MISSING). */}
          <Button color="primary" loading={action.isPending} disabled={!face.hasPhoto} onClick={() => void confirm()} data-testid="confirmation-confirm">
            {w.confirmOk}
          </Button>
        </div>
      )}
      {record.status === 'pending' && reporting && <ReportForm w={w} onCancel={() => setReporting(false)} onSubmit={async (corrections) => {
        try {
          await action.mutateAsync({ kind: 'report', corrections });
          Toast.show({ icon: 'success', content: w.reported });
          setReporting(false);
        } catch (error) {
          Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
        }
      }} busy={action.isPending} />}
    </div>
  );
}

/**
 * 信息有误: each ticked field with what the school needs to fix it, checked here as the server
 * checks it (a text field's correct value, a gender chosen, the photo's problem in words), then a
 * summary to read over before it is sent.
 */
function ReportForm({ w, onSubmit, onCancel, busy }: { w: WizardText; onSubmit(corrections: Correction[]): Promise<void>; onCancel(): void; busy: boolean }) {
  const m = useMessages(confirmationMessages);
  const [picked, setPicked] = useState<Field[]>([]);
  const [values, setValues] = useState<Partial<Record<Field, string>>>({});
  const [note, setNote] = useState('');
  const [photoNote, setPhotoNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState<Partial<Record<Field, string>>>({});

  const setValue = (field: Field, value: string) => {
    setValues((old) => ({ ...old, [field]: value }));
    setMissing((old) => ({ ...old, [field]: undefined }));
  };
  const problems = (): Partial<Record<Field, string>> => {
    const found: Partial<Record<Field, string>> = {};
    for (const f of picked) {
      if (f === 'photo') {
        if (!photoNote.trim()) found.photo = m.photoNoteRequired;
      } else if (!values[f]?.trim()) found[f] = f === 'gender' ? m.genderRequired : fill(m.correctValueRequired, { field: w[`field_${f}`] });
    }
    return found;
  };
  const corrections = (): Correction[] =>
    picked.map((field) => (field === 'photo' ? { field, correctValue: null, note: photoNote.trim() } : { field, correctValue: values[field]!.trim(), note: note.trim() || null }));

  const submit = async () => {
    if (picked.length === 0) return setError(w.pickAField);
    setError(null);
    const found = problems();
    setMissing(found);
    if (Object.values(found).some(Boolean)) return;
    const list = corrections();
    const send = await Dialog.confirm({
      title: m.summaryTitle,
      confirmText: m.summarySend,
      cancelText: w.prev,
      content: (
        <div data-testid="report-summary">
          {list.map((c) => (
            <div key={c.field} data-testid="report-summary-item" data-field={c.field}>
              {w[`field_${c.field}`]}：{c.field === 'photo' ? c.note : valueText(w, c)}
            </div>
          ))}
          {note.trim() && picked.some((f) => f !== 'photo') && <div className="muted">{fill(m.summaryNote, { note: note.trim() })}</div>}
        </div>
      ),
    });
    if (send) await onSubmit(list);
  };

  const fieldError = (f: Field) => missing[f] && <div className="form-error-text" role="alert" data-testid={`report-error-${f}`}>{missing[f]}</div>;
  return (
    <div className="form-card section" data-testid="confirmation-report-form">
      <Form layout="vertical">
        <Form.Header>{w.reportTitle}</Form.Header>
        <Form.Item label={w.wrongField}>
          <Selector multiple columns={3} value={picked} onChange={(v) => setPicked(v as Field[])} options={fields.map((f) => ({ value: f, label: w[`field_${f}`] }))} data-testid="report-fields" />
        </Form.Item>
        {picked.filter((f) => f !== 'photo').map((f) => (
          <Form.Item key={f} label={`${w[`field_${f}`]} · ${w.correctValue}`} required>
            {f === 'gender' ? (
              <SingleSelector<string> columns={2} value={values.gender ? [values.gender] : []} onChange={(v) => setValue('gender', v[0] ?? '')}
                options={[{ value: 'M', label: w.gender_M }, { value: 'F', label: w.gender_F }]} data-testid="report-value-gender" />
            ) : (
              <Input value={values[f] ?? ''} maxLength={64} placeholder={w.correctValuePlaceholder} onChange={(v) => setValue(f, v)} data-testid={`report-value-${f}`} />
            )}
            {fieldError(f)}
          </Form.Item>
        ))}
        {picked.includes('photo') && (
          <Form.Item label={m.photoNoteLabel} required>
            <Input value={photoNote} maxLength={200} placeholder={m.photoNotePlaceholder} onChange={(v) => { setPhotoNote(v); setMissing((old) => ({ ...old, photo: undefined })); }} data-testid="report-photo-note" />
            {fieldError('photo')}
          </Form.Item>
        )}
        {picked.some((f) => f !== 'photo') && (
          <Form.Item label={w.note}>
            <Input value={note} maxLength={200} placeholder={w.notePlaceholder} onChange={setNote} data-testid="report-note" />
          </Form.Item>
        )}
      </Form>
      {error && <div className="form-error" role="alert">{error}</div>}
      <div className="card-actions" style={{ padding: 12 }}>
        <Button onClick={onCancel}>{w.prev}</Button>
        <Button color="primary" loading={busy} onClick={() => void submit()} data-testid="report-submit">
          {w.submitReport}
        </Button>
      </div>
    </div>
  );
}
