import * as React from 'react';

import { observeSize } from '../common/hooks';

/** Height of a row (CSS px); fixed, which is what makes virtualization cheap. */
export const ROW_HEIGHT = 28;

/** Whether the table overflows sideways, and the width of its vertical scrollbar. */
export interface ISidewaysOverflow {
  left: boolean;
  right: boolean;
  scrollbar: number;
}

/**
 * Sideways: a cue while columns overflow to the right, a shadow on the
 * sticky columns once scrolled (columns slide under them).
 */
export function useSidewaysOverflow(
  scroller: React.RefObject<HTMLDivElement>,
  columns: unknown
): {
  overflow: ISidewaysOverflow;
  measureOverflow: () => void;
  scrollRight: () => void;
} {
  const [overflow, setOverflow] = React.useState({
    left: false,
    right: false,
    scrollbar: 0
  });
  const measureOverflow = React.useCallback(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const left = node.scrollLeft > 0;
    const right = node.scrollLeft + node.clientWidth < node.scrollWidth - 1;
    const scrollbar = node.offsetWidth - node.clientWidth;
    setOverflow(o =>
      o.left === left && o.right === right && o.scrollbar === scrollbar
        ? o
        : { left, right, scrollbar }
    );
  }, []);
  React.useLayoutEffect(() => {
    const node = scroller.current;
    return node ? observeSize(node, measureOverflow) : undefined;
  }, [measureOverflow]);
  React.useLayoutEffect(measureOverflow, [columns, measureOverflow]);
  const scrollRight = (): void => {
    const node = scroller.current;
    node?.scrollBy({ left: node.clientWidth * 0.6, behavior: 'smooth' });
  };

  return { overflow, measureOverflow, scrollRight };
}

/**
 * Keyboard: arrows, Page Up/Down, Home/End move the focused row (scrolled
 * into view, focused once rendered). Returns the rows' key handler.
 */
export function useRowKeys(
  scroller: React.RefObject<HTMLDivElement>,
  rowCount: number,
  setViewport: (viewport: { top: number; height: number }) => void
): (index: number, key: string) => boolean {
  // Keyboard: arrows, Page Up/Down, Home/End move the focused row.
  const pendingFocus = React.useRef<number | null>(null);
  const moveFocus = React.useCallback(
    (index: number, key: string): boolean => {
      const node = scroller.current;
      const page = Math.max(
        1,
        Math.floor((node?.clientHeight ?? 400) / ROW_HEIGHT) - 2
      );
      const steps: Record<string, number> = {
        ArrowDown: 1,
        ArrowUp: -1,
        PageDown: page,
        PageUp: -page,
        Home: -Infinity,
        End: Infinity
      };
      if (!(key in steps) || !node || rowCount === 0) {
        return false;
      }
      const target = Math.min(rowCount - 1, Math.max(0, index + steps[key]));
      const header = node.querySelector<HTMLElement>('.jp-mlops-Table-header');
      const headHeight = header?.offsetHeight ?? ROW_HEIGHT;
      const top = target * ROW_HEIGHT;
      if (top < node.scrollTop) {
        node.scrollTop = top;
      } else if (
        top + ROW_HEIGHT >
        node.scrollTop + node.clientHeight - headHeight
      ) {
        node.scrollTop = top + ROW_HEIGHT - node.clientHeight + headHeight;
      }
      pendingFocus.current = target;
      setViewport({ top: node.scrollTop, height: node.clientHeight });
      return true;
    },
    [rowCount]
  );
  React.useLayoutEffect(() => {
    const target = pendingFocus.current;
    if (target === null) {
      return;
    }
    const row = scroller.current?.querySelector<HTMLElement>(
      `.jp-mlops-Table-row[data-index="${target}"]`
    );
    if (row) {
      pendingFocus.current = null;
      row.focus({ preventScroll: true });
    }
  });

  return moveFocus;
}
