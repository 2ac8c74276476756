/** The live checks of the promote form's model name, on the server. */
import { ServerConnection } from '@jupyterlab/services';
import * as React from 'react';

import {
  getChampion,
  getNextVersion,
  IChampionCheck,
  INextVersion,
  listModels
} from '../api/registry';
import { describeError } from '../registry/notify';
import { modelNameProblem } from './validation';

/** Where the server check of a name is. */
export type NameCheck =
  | { state: 'idle' | 'checking' }
  | { state: 'ok'; info: INextVersion }
  | { state: 'error'; message: string };

/** What the checks found for the current (debounced) name. */
export interface IModelCheck {
  check: NameCheck;
  /** Existing models of the backend whose name contains what is typed. */
  matches: string[];
  /** The candidate against the model's latest version (once the name is known). */
  champion: IChampionCheck | null;
}

/**
 * For a valid `name`: does the model exist and what version comes next
 * (`next-version`, which also checks the name against GitLab's rule), the
 * champion check, and the matching existing models for the picker.
 */
export function useModelCheck(
  candidate: { backend: string; run_id: string },
  name: string,
  settings: ServerConnection.ISettings | undefined,
  onInfo: (info: INextVersion) => void
): IModelCheck {
  const [check, setCheck] = React.useState<NameCheck>({ state: 'idle' });
  const [matches, setMatches] = React.useState<string[]>([]);
  const [champion, setChampion] = React.useState<IChampionCheck | null>(null);

  React.useEffect(() => {
    setChampion(null);
    if (!name || modelNameProblem(name)) {
      setCheck({ state: 'idle' });
      return;
    }
    let live = true;
    setCheck({ state: 'checking' });
    getNextVersion(candidate.backend, name, 'patch', settings).then(
      info => {
        if (!live) {
          return;
        }
        setCheck({ state: 'ok', info });
        onInfo(info);
        getChampion(
          candidate.backend,
          name,
          candidate.run_id,
          [],
          settings
        ).then(
          c => live && setChampion(c),
          () => live && setChampion(null)
        );
      },
      error =>
        live &&
        setCheck({ state: 'error', message: describeError(error).message })
    );
    return () => {
      live = false;
    };
  }, [name]);

  React.useEffect(() => {
    let live = true;
    listModels(name, settings).then(
      list =>
        live &&
        setMatches(
          list.models
            .filter(m => m.backend === candidate.backend && m.name !== name)
            .map(m => m.name)
            .slice(0, 6)
        ),
      () => live && setMatches([])
    );
    return () => {
      live = false;
    };
  }, [name]);

  return { check, matches, champion };
}
