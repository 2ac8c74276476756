/** The `describedBy` of a command: the JSON schema of its (optional) arguments. */
import type { ReadonlyJSONObject } from '@lumino/coreutils';

/** `describedBy` from the schemas of the arguments (none: a command without arguments). */
export function describedBy(
  properties: Record<string, ReadonlyJSONObject> = {}
): {
  args: ReadonlyJSONObject;
} {
  return { args: { type: 'object', properties } };
}

/** Schema of a string argument. */
export function textArg(description: string): ReadonlyJSONObject {
  return { type: 'string', description };
}

/** Schema of the run arguments `backend` and `run_id`. */
export const RUN_ARGS: Record<string, ReadonlyJSONObject> = {
  backend: textArg('Backend name (default: "default")'),
  run_id: textArg('Run id')
};
