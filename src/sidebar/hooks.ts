import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render the component whenever one of these signals fires. */
export function useSignals(
  ...signals: (ISignal<unknown, unknown> | null | undefined)[]
): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const rerender = (): void => setTick(t => t + 1);
    const live = signals.filter((s): s is ISignal<unknown, unknown> => !!s);
    for (const signal of live) {
      signal.connect(rerender);
    }
    return () => {
      for (const signal of live) {
        signal.disconnect(rerender);
      }
    };
  }, signals);
}

/** `value`, once it has stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = React.useState(value);
  React.useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}
