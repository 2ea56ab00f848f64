import { SignJWT } from 'jose';
import { KlingConfigError } from '../errors.js';
import { DEFAULT_CALLBACK_AUDIENCE } from './callback-token.js';
import { secretList } from './secrets.js';

/** Options of {@link signCallbackUrl}. */
export interface SignCallbackUrlOptions {
  /** The secret {@link callbackToken} verifies with. */
  secret: string;
  /** Binds the token to this external task id (`ext` claim): a callback about another task is refused. */
  externalTaskId?: string;
  /** Binds the token to this Kling task id (`tid` claim). */
  taskId?: string;
  /**
   * Lifetime: seconds as a number, or a jose time span such as `'7d'` or `'12h'`. Default `'7d'`: tasks can wait in
   * Kling's queue for hours, and a token that expires before the callback arrives loses that callback.
   */
  expiresIn?: string | number;
  /** `aud` claim. Default `kling-callback`. */
  audience?: string;
}

/**
 * Adds a signed, expiring `token` query parameter to a callback URL, for {@link callbackToken} to verify. Other query
 * parameters are kept; an existing `token` is replaced.
 *
 * @throws {@link KlingConfigError} when the URL is not absolute http(s), the secret is empty or `expiresIn` is invalid.
 * @example
 * ```ts
 * const callback_url = await signCallbackUrl('https://app.example.com/webhooks/kling', {
 *   secret: process.env.KLING_CALLBACK_SECRET!,
 *   externalTaskId: 'order-42',
 * });
 * ```
 */
export async function signCallbackUrl(url: string, options: SignCallbackUrlOptions): Promise<string> {
  const secret = secretList('signCallbackUrl', options.secret)[0]!;
  let target: URL;
  try {
    target = new URL(url);
  } catch (cause) {
    throw new KlingConfigError('signCallbackUrl: url must be an absolute http(s) URL', { cause });
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new KlingConfigError('signCallbackUrl: url must be an absolute http(s) URL');
  }

  const nowSec = Math.floor(Date.now() / 1000);
  const { expiresIn = '7d', externalTaskId, taskId } = options;
  if (typeof expiresIn === 'number' && !(Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new KlingConfigError('signCallbackUrl: expiresIn must be a positive number of seconds or a span like "7d"');
  }
  const claims: Record<string, string> = {};
  if (externalTaskId !== undefined) claims.ext = externalTaskId;
  if (taskId !== undefined) claims.tid = taskId;

  let token: string;
  try {
    token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(options.audience ?? DEFAULT_CALLBACK_AUDIENCE)
      .setIssuedAt(nowSec)
      // jose reads a number as an absolute time; ours is a lifetime.
      .setExpirationTime(typeof expiresIn === 'number' ? nowSec + Math.ceil(expiresIn) : expiresIn)
      .sign(new TextEncoder().encode(secret));
  } catch (cause) {
    throw new KlingConfigError('signCallbackUrl: expiresIn must be a positive number of seconds or a span like "7d"', {
      cause,
    });
  }
  if (target.searchParams.has('token')) {
    target.searchParams.set('token', token);
  } else {
    // Appended as text: going through searchParams would re-encode the other parameters (`%20` → `+`, ...).
    target.search = target.search.length > 1 ? `${target.search}&token=${token}` : `?token=${token}`;
  }
  return target.href;
}
