import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal, Radio, Switch } from 'antd';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import type { CalendarDay } from '../payments/types.js';
import { dayTypeOf, type DayType } from './dayKind.js';
import { calendarMessages } from './messages.js';

interface DayForm {
  type: DayType;
  isVacation: boolean;
  name: string;
}

/** An operator corrects one day: working day, public holiday or day off, school vacation or not, and its name. */
export function DayEditModal({ day, onClose }: { day: CalendarDay | null; onClose: () => void }) {
  const c = useMessages(calendarMessages);
  const t = useMessages(messages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<DayForm>();
  const save = useIdempotentMutation({
    mutationFn: ({ date, values }: { date: string; values: DayForm }, idempotencyKey) =>
      admin.mutate('PUT', `/admin/calendar/days/${date}`, {
        isWorkingDay: values.type === 'working',
        isHoliday: values.type === 'holiday',
        isVacation: values.isVacation,
        name: values.name.trim() || null,
      }, idempotencyKey),
    onSuccess: async (_, { date }) => {
      void message.success(fill(c.saved, { date }));
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['calendar'] }), queryClient.invalidateQueries({ queryKey: ['payment-window'] })]);
      onClose();
    },
  });
  const close = () => {
    save.reset();
    onClose();
  };
  return (
    <Modal
      open={day !== null}
      title={day ? fill(c.editDay, { date: day.date }) : ''}
      okText={c.save}
      cancelText={t.cancel}
      okButtonProps={{ 'data-testid': 'day-save' } as never}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={close}
      destroyOnHidden
    >
      {save.isError && <LoadError title={t.saveFailed} error={save.error} />}
      {day && (
        <Form<DayForm>
          form={form}
          layout="vertical"
          initialValues={{ type: dayTypeOf(day), isVacation: day.isVacation, name: day.name ?? '' }}
          onFinish={(values) => save.mutate({ date: day.date, values })}
          data-testid="day-form"
        >
          <Form.Item name="type" label={c.dayType}>
            <Radio.Group
              data-testid="day-type"
              options={(['working', 'holiday', 'rest'] as const).map((type) => ({ value: type, label: c[`type_${type}`] }))}
            />
          </Form.Item>
          <Form.Item name="isVacation" label={c.vacation} extra={c.vacationHelp} valuePropName="checked">
            <Switch data-testid="day-vacation" />
          </Form.Item>
          <Form.Item name="name" label={c.dayName}>
            <Input maxLength={32} placeholder={c.dayNamePlaceholder} data-testid="day-name" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
