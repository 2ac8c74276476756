/** React hooks shared by every room. */
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
    // The signals themselves are the dependencies (a rest argument).
  }, signals);
}

/** `value`, once it has stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay = 300): T {
  const [settled, setSettled] = React.useState(value);
  React.useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/**
 * The content width (CSS px) of the element the returned ref is attached to,
 * kept up to date with a ResizeObserver; `fallback` until measured. A hidden
 * element (display: none, width 0) keeps the last width.
 */
export function useElementWidth<T extends HTMLElement>(
  fallback = 0
): [React.RefObject<T>, number] {
  const ref = React.useRef<T>(null);
  const [width, setWidth] = React.useState(fallback);
  React.useLayoutEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const measure = (): void => {
      const w = Math.floor(node.clientWidth);
      if (w > 0) {
        setWidth(w);
      }
    };
    return observeSize(node, measure);
  }, []);
  return [ref, width];
}

/**
 * Call `measure` now and whenever `node` is resized (where ResizeObserver
 * exists); returns the function that stops observing.
 */
export function observeSize(node: Element, measure: () => void): () => void {
  measure();
  if (typeof ResizeObserver === 'undefined') {
    return () => undefined;
  }
  const observer = new ResizeObserver(measure);
  observer.observe(node);
  return () => observer.disconnect();
}
