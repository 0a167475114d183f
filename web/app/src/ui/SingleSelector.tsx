import { Selector, type SelectorProps } from 'antd-mobile';
import { useState } from 'react';

type SelectorValue = string | number;

type SingleSelectorProps<V extends SelectorValue> = Omit<SelectorProps<V>, 'multiple'> & {
  /** Whether tapping the chosen option clears it, as Selector does: for an optional choice (a parent's relation). */
  allowClear?: boolean;
};

/**
 * A single choice as antd-mobile's Selector draws it, except that tapping the chosen option does
 * not clear it unless `allowClear` (Selector deselects on a second tap, leaving a required choice
 * empty: the top-up amount, the ID type). Controlled when given a `value` prop, even an undefined
 * one (a Form.Item passes its field's value, undefined after a reset): it then shows that value and
 * nothing of its own; uncontrolled (`defaultValue` or nothing) it keeps the choice itself.
 */
export function SingleSelector<V extends SelectorValue>(props: SingleSelectorProps<V>) {
  const { onChange, value, defaultValue, allowClear = false, ...rest } = props;
  const controlled = Object.prototype.hasOwnProperty.call(props, 'value');
  const [own, setOwn] = useState<V[]>(defaultValue ?? []);
  return (
    <Selector<V>
      {...rest}
      value={controlled ? (value ?? []) : own}
      onChange={(next, extend) => {
        if (next.length === 0 && !allowClear) return;
        if (!controlled) setOwn(next);
        onChange?.(next, extend);
      }}
    />
  );
}
