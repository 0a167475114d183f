import { Form, Input } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from './messages.js';

/** A birth date field: the phone's own date picker, giving YYYY-MM-DD. */
export function BirthDateItem({ name = 'birthDate' }: { name?: string }) {
  const t = useMessages(accountMessages);
  return (
    <Form.Item name={name} label={t.birthDate} rules={[{ required: true, message: t.required }, { pattern: /^\d{4}-\d{2}-\d{2}$/, message: t.required }]}>
      <Input type="date" />
    </Form.Item>
  );
}

/** Name, ID number and birth date as the school registered them (recovery proves identity with these). */
export function IdentityFields() {
  const t = useMessages(accountMessages);
  return (
    <>
      <Form.Item name="name" label={t.name} description={t.nameTypoHint} rules={[{ required: true, message: t.required }]}>
        <Input autoComplete="name" maxLength={32} placeholder={t.fullNamePlaceholder} />
      </Form.Item>
      <Form.Item name="idNumber" label={t.idNumber} rules={[{ required: true, message: t.required }, { pattern: /^\s*\d{17}[\dXx]\s*$/, message: t.idNumberInvalid }]}>
        <Input autoComplete="off" maxLength={18} placeholder={t.idNumberPlaceholder} />
      </Form.Item>
      <BirthDateItem />
    </>
  );
}
