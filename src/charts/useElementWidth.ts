import * as React from 'react';

/**
 * The content width (CSS px) of an element, kept up to date with a
 * ResizeObserver; 0 until measured or while the element is hidden.
 */
export function useElementWidth<T extends HTMLElement>(): [
  React.RefObject<T>,
  number
] {
  const ref = React.useRef<T>(null);
  const [width, setWidth] = React.useState(0);
  React.useLayoutEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const measure = (): void => {
      const w = Math.floor(node.clientWidth);
      // Hidden (display: none) gives 0: keep the last width.
      if (w > 0) {
        setWidth(w);
      }
    };
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
