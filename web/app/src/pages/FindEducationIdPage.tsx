import { useMutation } from '@tanstack/react-query';
import { Button, Form, Result, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import type { findEducationIdSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { IdentityFields } from '../account/IdentityFields.js';
import { accountMessages } from '../account/messages.js';
import type { PublicSchool } from '../account/queries.js';
import { SchoolPicker } from '../account/SchoolPicker.js';
import { LangToggle } from '../LangToggle.js';
import { messages } from '../messages.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, useErrorText } from '../ui/text.js';
import { VerifyFooter } from '../account/VerifyFooter.js';

type Lookup = z.input<typeof findEducationIdSchema>;
type Values = Omit<Lookup, 'schoolId'> & { school: PublicSchool };

function Found({ educationId, onAgain }: { educationId: string; onAgain(): void }) {
  const t = useMessages(accountMessages);
  const navigate = useNavigate();
  return (
    <div data-testid="education-id-found">
      <Result status="success" title={t.yourEducationId} description={t.educationIdNote} />
      <div className="big-number" data-testid="education-id">{educationId}</div>
      <Button block color="primary" size="large" onClick={() => navigate('/login', { replace: true, state: { educationId } })}>
        {t.signInWithId}
      </Button>
      <Button block fill="none" style={{ marginTop: 8 }} onClick={onAgain}>
        {t.lookUpAgain}
      </Button>
    </div>
  );
}

/** Find my education ID: school + name + ID number + birth date as registered. */
export function FindEducationIdPage() {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const describe = useErrorText();
  const [form] = Form.useForm<Values>();
  const [notVerified, setNotVerified] = useState(false);

  const lookUp = useMutation({
    mutationFn: ({ school, name, idNumber, birthDate }: Values) =>
      api.post<{ educationId: string }>('/education-id-lookups', { schoolId: school.id, name: name.trim(), idNumber: idNumber.trim().toUpperCase(), birthDate } satisfies Lookup, { auth: false }),
    // Only the education ID stays on screen, never the ID number that found it.
    onSuccess: () => form.resetFields(),
    onError: (error) => {
      const notVerifiedNow = errorCode(error) === 'IDENTITY_NOT_VERIFIED';
      setNotVerified(notVerifiedNow);
      if (!notVerifiedNow) Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    },
  });

  return (
    <SubPage title={common.findEducationId} backTo="/login" right={<LangToggle />}>
      <div className="form-card">
        {lookUp.isSuccess ? (
          <Found educationId={lookUp.data.educationId} onAgain={() => lookUp.reset()} />
        ) : (
          <Form
            form={form}
            layout="vertical"
            onFinish={(values) => lookUp.mutate(values)}
            onValuesChange={() => setNotVerified(false)}
            footer={<VerifyFooter notVerified={notVerified} label={t.lookUp} loading={lookUp.isPending} testId="lookup-submit" />}
          >
            <Form.Header>{t.findIdIntro}</Form.Header>
            <Form.Item name="school" label={common.school} rules={[{ required: true, message: t.chooseSchool }]}>
              <SchoolPicker />
            </Form.Item>
            <IdentityFields />
          </Form>
        )}
      </div>
    </SubPage>
  );
}
