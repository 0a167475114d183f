import { Selector, type SelectorProps } from 'antd-mobile';
import { useState } from 'react';

type SelectorValue = string | number;

/**
 * A required single choice as antd-mobile's Selector draws it, except that tapping the chosen
 * option does not clear it (Selector deselects on a second tap, leaving a required choice empty:
 * the top-up amount, the ID type). Controlled (`value`) or not (`defaultValue`), as Selector.
 */
export function SingleSelector<V extends SelectorValue>({ onChange, value, defaultValue, ...props }: Omit<SelectorProps<V>, 'multiple'>) {
  const [own, setOwn] = useState<V[]>(defaultValue ?? []);
  return (
    <Selector<V>
      {...props}
      value={value ?? own}
      onChange={(next, extend) => {
        if (next.length === 0) return;
        setOwn(next);
        onChange?.(next, extend);
      }}
    />
  );
}
