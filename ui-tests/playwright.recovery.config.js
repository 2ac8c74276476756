/**
 * Only the embedded-backend JupyterLab of playwright.config.js, for
 * tests/embeddedRecovery.spec.ts (it kills that server's MLflow child):
 * `CI=1 jlpm playwright test -c playwright.recovery.config.js`.
 */
const base = require('./playwright.config');

module.exports = {
  ...base,
  testMatch: /embeddedRecovery\.spec\.ts/,
  projects: [base.projects[0]],
  webServer: [base.webServer[0]]
};
