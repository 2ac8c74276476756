// Stand-in for @jupyter/react-components in jest: ui-components loads these ESM
// web components, which jest.config.js does not transform. Every component
// renders as a <span> of its children (views under test use only icons and buttons).
const React = require('react');

module.exports = new Proxy(
  {},
  {
    get: (_, key) =>
      key === '__esModule'
        ? true
        : props => React.createElement('span', null, props.children)
  }
);
