/**
 * The document widget factory of the sandboxed viewer, and its toolbar: run
 * the HTML's scripts (isolated) or stop them, and show the source as text.
 */
import { ABCWidgetFactory, DocumentRegistry } from '@jupyterlab/docregistry';
import {
  ReactWidget,
  runIcon,
  stopIcon,
  textEditorIcon,
  ToolbarButton,
  ToolbarButtonComponent,
  UseSignal
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { UNTRUSTED_VIEWER } from './untrusted';
import { UntrustedView } from './UntrustedView';

/** The scripts toggle: its label says what a click does. */
function ScriptsButton(props: { view: UntrustedView }): JSX.Element {
  const { view } = props;
  return (
    <UseSignal signal={view.scriptsChanged} initialSender={view}>
      {() => (
        <ToolbarButtonComponent
          className="jp-mlops-UntrustedView-scripts"
          icon={view.scripts ? stopIcon : runIcon}
          label={view.scripts ? 'Stop scripts' : 'Run scripts (isolated)'}
          tooltip={
            view.scripts
              ? 'Show the file again with its scripts off.'
              : 'Run the file’s scripts in an isolated frame: they cannot reach this page, your files or the Jupyter server.'
          }
          pressed={view.scripts}
          onClick={() => (view.scripts = !view.scripts)}
        />
      )}
    </UseSignal>
  );
}

/** Factory of {@link UntrustedView}: HTML and SVG, never the default for local files. */
export class UntrustedViewerFactory extends ABCWidgetFactory<UntrustedView> {
  constructor(options: { openSource?: (path: string) => void } = {}) {
    super({
      name: UNTRUSTED_VIEWER,
      label: 'Sandboxed Viewer',
      fileTypes: ['html', 'svg'],
      defaultFor: [],
      readOnly: true,
      modelName: 'text'
    });
    this._openSource = options.openSource;
  }

  protected createNewWidget(context: DocumentRegistry.Context): UntrustedView {
    return new UntrustedView({ context });
  }

  protected defaultToolbarFactory(
    view: UntrustedView
  ): DocumentRegistry.IToolbarItem[] {
    const items: DocumentRegistry.IToolbarItem[] = [];
    if (view.kind === 'html') {
      items.push({
        name: 'scripts',
        widget: ReactWidget.create(<ScriptsButton view={view} />)
      });
    }
    const openSource = this._openSource;
    if (openSource) {
      items.push({
        name: 'source',
        widget: new ToolbarButton({
          className: 'jp-mlops-UntrustedView-source',
          icon: textEditorIcon,
          label: 'Source',
          tooltip: 'Show the file as text (read-only)',
          onClick: () => openSource(view.context.path)
        })
      });
    }
    return items;
  }

  private _openSource?: (path: string) => void;
}
