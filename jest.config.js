// Frontend unit tests: the extension template's setup (@jupyterlab/testing preset, ts-jest).
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  // ESM web components that ui-components loads and jest does not transform
  moduleNameMapper: {
    ...baseConfig.moduleNameMapper,
    '^@jupyter/react-components$':
      '<rootDir>/src/__tests__/stubs/reactComponents.js',
    '^@jupyter/web-components$':
      '<rootDir>/src/__tests__/stubs/webComponents.js'
  },
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  coverageReporters: ['lcov', 'text'],
  reporters: ['default'],
  roots: ['<rootDir>/src'],
  testRegex: 'src/(.*/)?__tests__/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
