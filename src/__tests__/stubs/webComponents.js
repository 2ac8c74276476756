// Stand-in for @jupyter/web-components in jest (see reactComponents.js): every
// design-system provider registers nothing.
module.exports = new Proxy(
  {},
  {
    get: (_, key) =>
      key === '__esModule' ? true : () => ({ register: () => undefined })
  }
);
