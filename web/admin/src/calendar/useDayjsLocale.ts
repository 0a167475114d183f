import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import { useLang } from '../../../shared/i18n.js';

/**
 * antd's pickers and Calendar name months and weekdays through dayjs's global locale: Chinese
 * (weeks start on Monday) or English, following the console's language.
 */
export function useDayjsLocale(): void {
  const { lang } = useLang();
  const wanted = lang === 'en' ? 'en' : 'zh-cn';
  if (dayjs.locale() !== wanted) dayjs.locale(wanted);
}
