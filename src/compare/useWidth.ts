import * as React from 'react';

/** The content width of an element, updated when it is resized. */
export function useWidth(
  ref: React.RefObject<HTMLElement>,
  fallback = 600
): number {
  const [width, setWidth] = React.useState(fallback);
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const update = () => {
      const w = Math.floor(node.clientWidth);
      if (w > 0) {
        setWidth(w);
      }
    };
    update();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(update);
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
