/** Server-side rendering of a React element to HTML, for view tests. */
import * as React from 'react';

// react-dom ships no type declarations here (no @types/react-dom installed).
// @ts-expect-error: untyped module, used only for renderToStaticMarkup
import * as ReactDOMServer from 'react-dom/server';

/** The element's static HTML. */
export const renderToStaticMarkup = (
  ReactDOMServer as { renderToStaticMarkup: (el: React.ReactElement) => string }
).renderToStaticMarkup;
