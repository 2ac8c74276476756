import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A titled, collapsible section of the candidate detail. */
export function Section(props: {
  id: string;
  title: string;
  /** A short note beside the title (e.g. a count). */
  aside?: React.ReactNode;
  /** Controls shown on the right of the title bar. */
  tools?: React.ReactNode;
  children: React.ReactNode;
  defaultOpen?: boolean;
}): JSX.Element {
  const [open, setOpen] = React.useState(props.defaultOpen ?? true);
  const Icon = open ? caretDownIcon : caretRightIcon;
  const bodyId = `jp-mlops-section-${props.id}`;
  return (
    <section className="jp-mlops-Section" data-section={props.id}>
      <div className="jp-mlops-Section-head">
        <button
          className="jp-mlops-Section-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen(!open)}
        >
          <Icon.react tag="span" elementSize="normal" />
          <h2 className="jp-mlops-Section-title">{props.title}</h2>
          {props.aside !== undefined && (
            <span className="jp-mlops-Section-aside">{props.aside}</span>
          )}
        </button>
        {open && props.tools && (
          <div className="jp-mlops-Section-tools">{props.tools}</div>
        )}
      </div>
      {open && (
        <div className="jp-mlops-Section-body" id={bodyId}>
          {props.children}
        </div>
      )}
    </section>
  );
}

/** A definition list row: a label and its value. */
export function Field(props: {
  label: string;
  children: React.ReactNode;
  name?: string;
}): JSX.Element | null {
  if (
    props.children === null ||
    props.children === undefined ||
    props.children === ''
  ) {
    return null;
  }
  return (
    <div className="jp-mlops-Field" data-field={props.name}>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** A link to a page outside JupyterLab (GitLab, the MLflow UI). */
export function ExternalLink(props: {
  href: string | null | undefined;
  children: React.ReactNode;
  title?: string;
}): JSX.Element {
  if (!props.href || !/^https?:\/\//i.test(props.href)) {
    return <span>{props.children}</span>;
  }
  return (
    <a
      className="jp-mlops-Link"
      href={props.href}
      target="_blank"
      rel="noopener noreferrer"
      title={props.title ?? props.href}
    >
      {props.children}
    </a>
  );
}
