import { useMutation } from '@tanstack/react-query';
import { Form, Input, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import type { bindChildSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { BirthDateItem } from '../account/IdentityFields.js';
import { accountMessages } from '../account/messages.js';
import { useInvalidate } from '../account/queries.js';
import { messages } from '../messages.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, useErrorText } from '../ui/text.js';
import { VerifyFooter } from '../account/VerifyFooter.js';

type BindChild = z.input<typeof bindChildSchema>;
type Proof = 'birthDate' | 'idNumberLast6';
interface Values {
  educationId: string;
  name: string;
  birthDate?: string;
  idNumberLast6?: string;
}

/** A parent adds a child: education ID + name, proven with the birth date or the ID number's last 6. */
export function BindChildPage() {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const navigate = useNavigate();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  const [form] = Form.useForm<Values>();
  const [proof, setProof] = useState<Proof>('birthDate');
  const [notVerified, setNotVerified] = useState(false);

  const bind = useMutation({
    mutationFn: (values: Values) => {
      const body: BindChild = { educationId: values.educationId.trim(), name: values.name.trim() };
      if (proof === 'birthDate') body.birthDate = values.birthDate;
      else body.idNumberLast6 = values.idNumberLast6?.trim().toUpperCase();
      return api.post<{ studentId: string }>('/me/children', body);
    },
    onSuccess: async ({ studentId }) => {
      form.resetFields();
      Toast.show({ icon: 'success', content: t.childBound });
      await invalidate('children');
      navigate(`/children/${studentId}`, { replace: true });
    },
    onError: (error) => {
      const code = errorCode(error);
      setNotVerified(code === 'IDENTITY_NOT_VERIFIED');
      if (code !== 'IDENTITY_NOT_VERIFIED') Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    },
  });

  return (
    <SubPage title={t.bindChild} backTo="/me">
      <div className="form-card">
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => bind.mutate(values)}
          onValuesChange={() => setNotVerified(false)}
          footer={<VerifyFooter notVerified={notVerified} label={t.bindChild} loading={bind.isPending} testId="bind-child-submit" />}
        >
          <Form.Header>{t.bindChildIntro}</Form.Header>
          <Form.Item name="educationId" label={common.educationId} rules={[{ required: true, message: common.educationIdPlaceholder }, { pattern: /^\d{8}$/, message: common.educationIdInvalid }]}>
            <Input inputMode="numeric" maxLength={8} placeholder={common.educationIdPlaceholder} />
          </Form.Item>
          <Form.Item name="name" label={t.childName} description={t.nameTypoHint} rules={[{ required: true, message: t.required }]}>
            <Input maxLength={32} placeholder={t.fullNamePlaceholder} />
          </Form.Item>
          <Form.Item label={t.verifyBy}>
            <SingleSelector
              columns={2}
              value={[proof]}
              onChange={([next]) => next && setProof(next)}
              options={[
                { value: 'birthDate' as const, label: t.birthDate },
                { value: 'idNumberLast6' as const, label: t.idNumberLast6 },
              ]}
            />
          </Form.Item>
          {proof === 'birthDate' ? (
            <BirthDateItem />
          ) : (
            <Form.Item name="idNumberLast6" label={t.idNumberLast6} rules={[{ required: true, message: t.required }, { pattern: /^\d{5}[\dXx]$/, message: t.idNumberLast6Invalid }]}>
              <Input maxLength={6} autoComplete="off" placeholder={t.idNumberLast6Placeholder} />
            </Form.Item>
          )}
        </Form>
      </div>
    </SubPage>
  );
}
