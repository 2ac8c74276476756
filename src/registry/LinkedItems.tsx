/** Linked issues, merge requests and other links of a version: add and remove. */
import {
  Button,
  closeIcon,
  InputGroup,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { IVersionLink } from '../api/registry';
import { writeTitle } from '../models/capabilities';
import { RegistryModel } from '../models/registry';
import { notifyError } from '../common/notify';
import { safeHref } from '../common/format';

const KIND_LABEL: Record<IVersionLink['kind'], string> = {
  issue: 'Issue',
  merge_request: 'Merge request',
  link: 'Link'
};

/** Props of {@link LinkedItems}. */
export interface ILinkedItemsProps {
  backend: string;
  model: string;
  version: string;
  links: IVersionLink[];
  registry: RegistryModel;
  /** Why this backend's credentials may not write (the controls stay, disabled), or null. */
  writeBlocked?: string | null;
}

/** The list, with an URL field to add one. */
export function LinkedItems(props: ILinkedItemsProps): JSX.Element {
  const { backend, model, version, registry } = props;
  const blocked = props.writeBlocked ?? null;
  const [links, setLinks] = React.useState(props.links);
  const [url, setUrl] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const valid = safeHref(url.trim()) !== null;

  const add = async () => {
    setBusy(true);
    try {
      setLinks(await registry.addLink({ backend, model, version }, url.trim()));
      setUrl('');
    } catch (error) {
      notifyError('Linking failed', error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (link: IVersionLink) => {
    setBusy(true);
    try {
      setLinks(await registry.removeLink({ backend, model, version }, link.n));
    } catch (error) {
      notifyError(`Removing the link to ${link.title} failed`, error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-mlops-LinkedItems" data-testid="linked-items">
      {links.length === 0 ? (
        <p className="jp-mlops-Hint">No linked issues or merge requests.</p>
      ) : (
        <ul className="jp-mlops-LinkList">
          {links.map(link => {
            const href = safeHref(link.url);
            return (
              <li key={link.n}>
                <span className="jp-mlops-Kind">
                  {KIND_LABEL[link.kind] ?? 'Link'}
                </span>
                {href ? (
                  <a
                    href={href}
                    target="_blank"
                    rel="noopener noreferrer"
                    title={link.url}
                  >
                    {link.title || link.url}
                  </a>
                ) : (
                  <span>{link.url}</span>
                )}
                <ToolbarButtonComponent
                  icon={closeIcon}
                  tooltip={writeTitle(
                    blocked,
                    `Remove the link to ${link.title || link.url}`
                  )}
                  enabled={!busy && !blocked}
                  onClick={() => void remove(link)}
                />
              </li>
            );
          })}
        </ul>
      )}
      <form
        className="jp-mlops-Controls"
        onSubmit={e => {
          e.preventDefault();
          if (valid && !busy) {
            void add();
          }
        }}
      >
        <InputGroup
          className="jp-mlops-LinkInput"
          type="url"
          placeholder="https://gitlab.example.com/group/project/-/issues/7"
          aria-label="URL of an issue, merge request or page to link"
          value={url}
          onChange={e => setUrl(e.currentTarget.value)}
        />
        <Button
          type="submit"
          disabled={!valid || busy || !!blocked}
          title={writeTitle(blocked, 'Link this URL to the version')}
        >
          Add link
        </Button>
      </form>
    </div>
  );
}
