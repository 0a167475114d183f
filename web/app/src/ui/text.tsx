import { Dialog, Toast } from 'antd-mobile';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { messages } from '../messages.js';

export { fill };

/** The error in the chosen language; a throttled sign-in also says when to try again. */
export function useErrorText(): (error: unknown) => string {
  const { lang } = useLang();
  const t = useMessages(messages);
  return (error) => {
    const text = errorText(error, lang);
    const seconds = error instanceof ApiError && error.status === 429 ? Number(error.details?.retryAfterSeconds) : NaN;
    if (!(seconds > 0)) return text;
    const time = seconds < 60 ? fill(t.seconds, { n: seconds }) : fill(t.minutes, { n: Math.ceil(seconds / 60) });
    return text + fill(t.retryAfter, { time });
  };
}

/**
 * Reports a refused request in a toast, after `prefix` when given. The initial query password's
 * refusal says what to do next at some length, so it opens a dialog to be read instead.
 */
export function useReportFailure(): (error: unknown, prefix?: string) => void {
  const describe = useErrorText();
  const t = useMessages(messages);
  return (error, prefix) => {
    if (errorCode(error) === 'QUERY_PASSWORD_INITIAL') {
      void Dialog.alert({ title: t.queryPasswordInitialTitle, content: <span data-testid="query-password-initial">{describe(error)}</span>, confirmText: t.gotIt });
      return;
    }
    Toast.show({ icon: 'fail', content: prefix ? `${prefix}：${describe(error)}` : describe(error) });
  };
}

/** An API error's code, or undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}

/** `YYYY-MM-DD` of an ISO instant, in Beijing. */
export function beijingDate(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-CA' : 'zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(iso))
    .replaceAll('/', '-');
}
