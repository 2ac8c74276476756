/**
 * Playwright/Galata configuration: Debian's Chromium, one worker, a real
 * JupyterLab whose server extension runs the embedded MLflow backend.
 *
 * Env: JLAB_PORT (default 8888), MLOPS_UITEST_DATA (embedded backend data,
 * emptied before each run), CHROMIUM_PATH (default /usr/bin/chromium).
 */
const os = require('os');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const JLAB_PORT = process.env.JLAB_PORT || '8888';
const DATA =
  process.env.MLOPS_UITEST_DATA ||
  path.join(os.tmpdir(), `jupyterlab-mlops-uitest-${JLAB_PORT}`);
const BASE_URL = `http://127.0.0.1:${JLAB_PORT}`;
// A second JupyterLab whose one backend is the GitLab stand-in (tests/gitlab/ on real MLflow).
const GITLAB_PORT =
  process.env.JLAB_GITLAB_PORT || String(Number(JLAB_PORT) + 1);
const GITLAB_DATA = `${DATA}-gitlab`;
const GITLAB_URL = `http://127.0.0.1:${GITLAB_PORT}`;
// JupyterHub over the team backend (hub_server.py, prerequisites: tests/team/setup.sh). Its URL is only
// known once it is up: the "ready" line's named group becomes process.env.MLOPS_HUB_URL for the spec.
const HUB_READY = /MLOPS hub ready at (?<mlops_hub_url>http:\/\/\S+)/;

// The server must not see a configured backend, or it would not embed one.
const serverEnv = {
  ...process.env,
  JLAB_PORT,
  MLOPS_UITEST_DATA: DATA,
  MLFLOW_TRACKING_URI: undefined,
  MLFLOW_TRACKING_TOKEN: undefined,
  MLFLOW_DISABLE_TELEMETRY: 'true',
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false'
};

module.exports = {
  ...baseConfig,
  // The base config opens the HTML report on failure, which would hang here.
  reporter: [['list'], ['html', { open: 'never' }]],
  workers: 1,
  retries: 0,
  timeout: 120000,
  expect: { ...baseConfig.expect, timeout: 15000 },
  use: {
    ...baseConfig.use,
    baseURL: BASE_URL,
    // Video needs Playwright's own ffmpeg download, which is not available.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    }
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /(gitlab|hub)\//,
      use: { browserName: 'chromium' }
    },
    {
      name: 'gitlab',
      testMatch: /gitlab\/.*\.spec\.ts/,
      use: { browserName: 'chromium', baseURL: GITLAB_URL }
    },
    {
      name: 'hub',
      testMatch: /hub\/.*\.spec\.ts/,
      use: { browserName: 'chromium' }
    }
  ],
  webServer: [
    {
      command: `rm -rf "${DATA}" && mkdir -p "${DATA}" && unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN && jlpm start`,
      url: `${BASE_URL}/lab`,
      timeout: 120000,
      reuseExistingServer: !process.env.CI,
      // SIGTERM lets Jupyter stop the embedded MLflow server, which runs in its
      // own session: the default SIGKILL of the process group would orphan it.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20000 },
      env: serverEnv
    },
    {
      command: `rm -rf "${GITLAB_DATA}" && mkdir -p "${GITLAB_DATA}" && jlpm start:gitlab`,
      url: `${GITLAB_URL}/lab`,
      timeout: 120000,
      reuseExistingServer: !process.env.CI,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20000 },
      env: {
        ...serverEnv,
        JLAB_GITLAB_PORT: GITLAB_PORT,
        MLOPS_UITEST_GITLAB_DATA: GITLAB_DATA
      }
    },
    {
      command: 'python hub_server.py',
      wait: { stdout: HUB_READY },
      timeout: 180000,
      // SIGTERM: hub_server.py stops the hub, the users' servers, MLflow, moto and PostgreSQL.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 60000 },
      env: serverEnv
    }
  ]
};
