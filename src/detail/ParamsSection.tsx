import { InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Section } from './Section';
import { KeyValueTable } from '../common/KeyValueTable';

/** Params with more than this many get a search box. */
const SEARCH_FROM = 12;

/** The run's parameters as a key/value table. */
export function ParamsSection(props: {
  params: Record<string, string>;
}): JSX.Element {
  const [query, setQuery] = React.useState('');
  const entries = Object.entries(props.params).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const q = query.trim().toLowerCase();
  const shown = q
    ? entries.filter(
        ([k, v]) => k.toLowerCase().includes(q) || v.toLowerCase().includes(q)
      )
    : entries;
  return (
    <Section
      id="params"
      title="Parameters"
      aside={entries.length || undefined}
      tools={
        entries.length > SEARCH_FROM ? (
          <InputGroup
            type="search"
            placeholder="Find a parameter"
            aria-label="Find a parameter"
            value={query}
            rightIcon="ui-components:search"
            onChange={event => setQuery(event.currentTarget.value)}
          />
        ) : undefined
      }
    >
      {entries.length === 0 ? (
        <p className="jp-mlops-Muted">No parameters logged.</p>
      ) : (
        <KeyValueTable rows={shown} mono />
      )}
    </Section>
  );
}
