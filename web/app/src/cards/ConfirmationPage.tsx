import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Dialog, ErrorBlock, Form, Input, List, Selector, Skeleton, Tag, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { useConfirmation, useConfirmationAction, type ConfirmationDto, type Correction } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { wizardMessages, type WizardText } from './wizard-messages.js';
import './cards.css';

type Field = Correction['field'];
const fields: readonly Field[] = ['schoolName', 'name', 'gender', 'educationId', 'validUntil', 'photo'];

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
        <List.Item extra={face.educationId}>{w.field_educationId}</List.Item>
        {/* The date printed on the card being made (graduation), not the validity of the card in use (extended yearly). */}
        <List.Item extra={face.validUntil} description={w.faceValidUntilHint} data-testid="confirmation-face-valid-until">{w.faceValidUntil}</List.Item>
        {record.confirmedAt && <List.Item extra={formatBeijingTime(record.confirmedAt, lang)}>{w.confirmed}</List.Item>}
      </List>
      {record.corrections.length > 0 && record.status !== 'confirmed' && (
        <List mode="card" header={w.correctionsSent}>
          {record.corrections.map((c) => (
            <List.Item key={c.field} description={c.note ?? undefined} extra={c.correctValue ?? '—'}>
              {w[`field_${c.field}`]}
            </List.Item>
          ))}
        </List>
      )}
      {record.status === 'pending' && !reporting && (
        <div className="card-actions wizard-footer">
          <Button color="warning" fill="outline" onClick={() => setReporting(true)} data-testid="confirmation-report">
            {w.reportErrors}
          </Button>
          <Button color="primary" loading={action.isPending} onClick={() => void confirm()} data-testid="confirmation-confirm">
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

function ReportForm({ w, onSubmit, onCancel, busy }: { w: WizardText; onSubmit(corrections: Correction[]): Promise<void>; onCancel(): void; busy: boolean }) {
  const [picked, setPicked] = useState<Field[]>([]);
  const [values, setValues] = useState<Partial<Record<Field, string>>>({});
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    if (picked.length === 0) return setError(w.pickAField);
    setError(null);
    void onSubmit(
      picked.map((field) => ({
        field,
        correctValue: field === 'photo' ? null : values[field]?.trim() || null,
        note: note.trim() || null,
      })),
    );
  };

  return (
    <div className="form-card section" data-testid="confirmation-report-form">
      <Form layout="vertical">
        <Form.Header>{w.reportTitle}</Form.Header>
        <Form.Item label={w.wrongField}>
          <Selector multiple columns={3} value={picked} onChange={(v) => setPicked(v as Field[])} options={fields.map((f) => ({ value: f, label: w[`field_${f}`] }))} data-testid="report-fields" />
        </Form.Item>
        {picked.filter((f) => f !== 'photo').map((f) => (
          <Form.Item key={f} label={`${w[`field_${f}`]} · ${w.correctValue}`}>
            <Input value={values[f] ?? ''} maxLength={64} placeholder={w.correctValuePlaceholder} onChange={(v) => setValues((old) => ({ ...old, [f]: v }))} data-testid={`report-value-${f}`} />
          </Form.Item>
        ))}
        <Form.Item label={w.note}>
          <Input value={note} maxLength={200} placeholder={w.notePlaceholder} onChange={setNote} data-testid="report-note" />
        </Form.Item>
      </Form>
      {error && <div className="form-error" role="alert">{error}</div>}
      <div className="card-actions" style={{ padding: 12 }}>
        <Button onClick={onCancel}>{w.prev}</Button>
        <Button color="primary" loading={busy} onClick={submit} data-testid="report-submit">
          {w.submitReport}
        </Button>
      </div>
    </div>
  );
}
