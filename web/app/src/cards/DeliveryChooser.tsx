import { Button, Form, Input, List } from 'antd-mobile';
import { useState, type ReactNode } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import type { DeliveryChoice } from './fulfilment.js';
import { wizardMessages } from './wizard-messages.js';
import './cards.css';

/**
 * 配送信息 (seed 000): to school (free) or home (courier cash on delivery, at most ¥15 in the
 * city) with the recipient, an 11-digit phone and the address. Used by the application wizard and
 * again when a parcel returned to the card centre goes out a second time; `homeOnly` when the card
 * waits at a school the student no longer attends, which may only send it home.
 */
export function DeliveryChooser({ pending, error, onSubmit, back, submitLabel, homeOnly = false }: { pending: boolean; error: ReactNode; onSubmit(choice: DeliveryChoice): void; back?: ReactNode; submitLabel?: string; homeOnly?: boolean }) {
  const w = useMessages(wizardMessages);
  const [method, setMethod] = useState<'school' | 'home'>(homeOnly ? 'home' : 'school');
  const [form] = Form.useForm<{ recipient: string; phone: string; address: string }>();

  return (
    <>
      {!homeOnly && (
        <>
          <div className="card-group-title">{w.chooseDelivery}</div>
          <ChoiceCard selected={method === 'school'} title={w.deliverySchool} hint={w.deliverySchoolHint} onSelect={() => setMethod('school')} testId="delivery-school" />
          <ChoiceCard selected={method === 'home'} title={w.deliveryHome} hint={w.deliveryHomeHint} onSelect={() => setMethod('home')} testId="delivery-home" />
        </>
      )}
      {method === 'home' && (
        <div className="form-card">
          <Form form={form} layout="horizontal" onFinish={(values) => onSubmit({ method: 'home', recipient: values.recipient.trim(), phone: values.phone.trim(), address: values.address.trim() })}>
            <Form.Item name="recipient" label={w.recipient} rules={[{ required: true, message: w.recipientPlaceholder }]}>
              <Input placeholder={w.recipientPlaceholder} maxLength={32} data-testid="delivery-recipient" />
            </Form.Item>
            <Form.Item name="phone" label={w.phone} rules={[{ required: true, message: w.phonePlaceholder }, { pattern: /^1\d{10}$/, message: w.phoneInvalid }]}>
              <Input placeholder={w.phonePlaceholder} inputMode="numeric" maxLength={11} data-testid="delivery-phone" />
            </Form.Item>
            <Form.Item name="address" label={w.address} rules={[{ required: true, message: w.addressPlaceholder }, { min: 5, message: w.addressInvalid }]}>
              <Input placeholder={w.addressPlaceholder} maxLength={200} data-testid="delivery-address" />
            </Form.Item>
          </Form>
          <List header={w.deliveryTips}>
            <List.Item>
              <ol className="note-list">
                <li>{w.deliveryTip1}</li>
                <li>{w.deliveryTip2}</li>
              </ol>
            </List.Item>
          </List>
        </div>
      )}
      {error && (
        <div className="form-error" role="alert" data-testid="wizard-error">
          {error}
        </div>
      )}
      <div className="card-actions wizard-footer">
        {back}
        <Button color="primary" loading={pending} onClick={() => (method === 'home' ? form.submit() : onSubmit({ method: 'school' }))} data-testid="delivery-submit">
          {submitLabel ?? w.submit}
        </Button>
      </div>
    </>
  );
}

function ChoiceCard({ selected, title, hint, onSelect, testId }: { selected: boolean; title: string; hint: string; onSelect(): void; testId: string }) {
  return (
    <div className={`choice${selected ? ' selected' : ''}`} role="radio" aria-checked={selected} tabIndex={0} onClick={onSelect} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect()} data-testid={testId}>
      <div className="title">{title}</div>
      <div className="hint">{hint}</div>
    </div>
  );
}
