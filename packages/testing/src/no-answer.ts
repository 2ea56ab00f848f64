/** Whether a request failed because it took too long (fetch's abort by `AbortSignal.timeout`). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Why a request got no answer, in words: fetch hides the network error's code in `cause`. */
export function noAnswerReason(error: unknown): string {
  if (isTimeout(error)) return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (code !== undefined) return `no answer (${code})`;
      // fetch refuses some ports outright ("bad port") with no code: its message is all there is.
      return typeof cause?.message === 'string' && cause.message !== '' ? `no answer (${cause.message})` : 'no answer';
  }
}
