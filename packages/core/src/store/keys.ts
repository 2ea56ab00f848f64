/** Characters that carry structure in a store key: escaped in every component so no component can fake one. */
const SPECIAL = /[%:{}]/;
const SPECIAL_ALL = /[%:{}]/g;
const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', ':': '%3A', '{': '%7B', '}': '%7D' };
const escapeChar = (char: string): string => ESCAPES[char] as string;

/**
 * One component of a store key: `%`, `:`, `{` and `}` percent-encoded, everything else as it is. Injective (`%` is
 * escaped too) and total: unlike `encodeURIComponent` it never throws on a lone surrogate, and an id without those
 * characters (every id Kling issues) is returned without a copy.
 */
export function encodeKeyPart(part: string): string {
  return SPECIAL.test(part) ? part.replace(SPECIAL_ALL, escapeChar) : part;
}

/**
 * Every key the stores write, named in one place. A key is `{<task>}:<kind>[:<status>]` with each component encoded
 * by `encodeKeyPart`, so no two different (kind, task, status) triples share a key: the encoded task ends at the
 * first `}`, the kind is one of a fixed set, and the status is the rest. The `{<task>}` prefix is a Redis Cluster
 * hash tag: every key of one task lands in one slot, so a Lua script may touch an event and its task's terminal
 * marker together. Pairing keys are per external id and start with `p:`, which no task key does.
 */
export const storeKeys = {
  /** Dedupe key of one task state (`status` is the raw status for a state this library does not know). */
  event(taskId: string, status: string): string {
    return `{${encodeKeyPart(taskId)}}:e:${encodeKeyPart(status)}`;
  },
  /** The task's terminal marker: which terminal state holds the task, then that it ended. */
  terminal(taskId: string): string {
    return `{${encodeKeyPart(taskId)}}:t`;
  },
  /** The task id `KlingClient` created for an external task id. */
  pairing(externalTaskId: string): string {
    return `p:{${encodeKeyPart(externalTaskId)}}`;
  },
} as const;
