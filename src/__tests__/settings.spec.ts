/** The settings' defaults are the schema's (schema/plugin.json), page size included. */
/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';

import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SETTINGS,
  readSettings
} from '../models/settings';

const schema = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../schema/plugin.json'), 'utf8')
);

describe('settings', () => {
  it('defaults to the schema defaults', () => {
    const defaults = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        key,
        (value as { default: unknown }).default
      ])
    );
    expect(DEFAULT_SETTINGS).toEqual(defaults);
    expect(DEFAULT_PAGE_SIZE).toBe(schema.properties.pageSize.default);
  });

  it('falls back to the defaults for bad values', () => {
    expect(readSettings({ pageSize: -3, refreshInterval: 'x' })).toEqual(
      DEFAULT_SETTINGS
    );
  });
});
