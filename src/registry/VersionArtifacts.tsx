/** A version's files: open in a JupyterLab viewer, download, upload with progress. */
import {
  Button,
  downloadIcon,
  fileUploadIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { IArtifactFile, IUploadInfo } from '../api/registry';
import { downloadBlob } from '../common/download';
import { isViewable } from './format';
import { notifyError } from '../common/notify';
import { writeTitle } from '../models/capabilities';
import { uploadProblem } from '../api/upload';
import { RegistryModel } from '../models/registry';
import { formatBytes } from '../common/format';

/** Props of {@link VersionArtifacts}. */
export interface IVersionArtifactsProps {
  backend: string;
  model: string;
  version: string;
  files: IArtifactFile[];
  error: string | null;
  upload: IUploadInfo;
  registry: RegistryModel;
  open: (path: string) => Promise<void>;
  /** Why this backend's credentials may not write (upload stays, disabled), or null. */
  writeBlocked?: string | null;
}

type Upload = { name: string; fraction: number; abort: AbortController } | null;

/** The file list and the upload control. */
export function VersionArtifacts(props: IVersionArtifactsProps): JSX.Element {
  const { backend, model, version, registry } = props;
  const [files, setFiles] = React.useState(props.files);
  const [upload, setUpload] = React.useState<Upload>(null);
  const [problem, setProblem] = React.useState<string | null>(null);
  const input = React.useRef<HTMLInputElement>(null);

  const download = async (path: string) => {
    try {
      const blob = await registry.download({ backend, model, version }, path);
      downloadBlob(blob, path.split('/').pop() || path);
    } catch (error) {
      notifyError(`Downloading ${path} failed`, error);
    }
  };
  const open = async (path: string) => {
    try {
      await props.open(path);
    } catch (error) {
      notifyError(`Opening ${path} failed`, error);
    }
  };
  const start = async (file: File) => {
    const why = uploadProblem(file.name, file.size, props.upload);
    setProblem(why);
    if (why) {
      return; // refused before a byte is sent
    }
    const abort = new AbortController();
    setUpload({ name: file.name, fraction: 0, abort });
    try {
      const result = await registry.upload({
        backend,
        model,
        version,
        file,
        upload: props.upload,
        signal: abort.signal,
        onProgress: fraction => setUpload({ name: file.name, fraction, abort })
      });
      setFiles(result.artifacts);
    } catch (error) {
      notifyError(`Uploading ${file.name} failed`, error);
    } finally {
      setUpload(null);
      if (input.current) {
        input.current.value = '';
      }
    }
  };

  return (
    <div className="jp-mlops-Artifacts" data-testid="artifacts">
      {props.error && (
        <p className="jp-mlops-Notice jp-mlops-mod-warn">{props.error}</p>
      )}
      {files.length === 0 && !props.error && (
        <p className="jp-mlops-Hint">No files.</p>
      )}
      {files.length > 0 && (
        <ul className="jp-mlops-FileList">
          {files.map(f => (
            <li key={f.path}>
              {f.is_dir || !isViewable(f.path) ? (
                <span className="jp-mlops-FileName">
                  {f.path}
                  {f.is_dir ? '/' : ''}
                </span>
              ) : (
                <button
                  type="button"
                  className="jp-mlops-LinkButton jp-mlops-FileName"
                  title={`Open ${f.path} in JupyterLab`}
                  onClick={() => void open(f.path)}
                >
                  {f.path}
                </button>
              )}
              <span className="jp-mlops-FileSize">
                {formatBytes(f.file_size)}
              </span>
              {!f.is_dir && (
                <ToolbarButtonComponent
                  icon={downloadIcon}
                  tooltip={`Download ${f.path}`}
                  onClick={() => void download(f.path)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="jp-mlops-Controls">
        <input
          ref={input}
          type="file"
          className="jp-mlops-HiddenInput"
          aria-label="File to upload"
          onChange={e => {
            const file = e.currentTarget.files?.[0];
            if (file) {
              void start(file);
            }
          }}
        />
        <Button
          disabled={!!upload || !!props.writeBlocked}
          onClick={() => input.current?.click()}
          title={writeTitle(
            props.writeBlocked ?? null,
            `At most ${formatBytes(props.upload.max_bytes)}; names: ${props.upload.name_rule}`
          )}
        >
          <fileUploadIcon.react tag="span" className="jp-mlops-ButtonIcon" />
          Upload a file
        </Button>
        <span className="jp-mlops-Hint">
          up to {formatBytes(props.upload.max_bytes)}
          {props.upload.flat_names ? `; ${props.upload.name_rule}` : ''}
        </span>
      </div>
      {problem && (
        <p className="jp-mlops-Rule jp-mlops-mod-error" role="alert">
          {problem}
        </p>
      )}
      {upload && (
        <div className="jp-mlops-Upload" role="status">
          <span>{upload.name}</span>
          <progress
            max={1}
            value={upload.fraction}
            aria-label={`Uploading ${upload.name}`}
          />
          <span>{Math.round(upload.fraction * 100)}%</span>
          <Button small minimal onClick={() => upload.abort.abort()}>
            Cancel
          </Button>
        </div>
      )}
    </div>
  );
}
