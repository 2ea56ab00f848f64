import { KlingConfigError } from '../errors.js';

/** Which API dialect a product speaks (docs/kling-protocol.md §2 and §5). */
export type KlingApiDialect = 'legacy' | 'new';

/** Top-level families of the legacy `/v1/...` endpoints; anything else is a new-dialect `<product>/<model>`. */
const legacyFamilies = new Set(['videos', 'images', 'general', 'audio']);
const segment = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A product path, checked and split into its dialect and the path to POST to. */
export interface KlingProduct {
  /** As the task is recorded and polled: `videos/text2video`, `text-to-video/kling-3.0`. */
  name: string;
  dialect: KlingApiDialect;
  /** Path to create tasks on: `/v1/videos/text2video`, `/text-to-video/kling-3.0`. */
  createPath: string;
}

/**
 * Parses a product: a legacy product (`videos/text2video`, `images/kolors-virtual-try-on`, `images/editing/expand`,
 * with or without a leading `v1/`) or a new-dialect `<product>/<model>` (`text-to-video/kling-3.0`). Rejects anything
 * that could leave the API's path space (`..`, empty segments, query characters).
 */
export function parseProduct(product: string): KlingProduct {
  const parts = product.replace(/^\/+/, '').split('/');
  if (parts[0] === 'v1') parts.shift();
  if (parts.length < 2 || !parts.every((part) => segment.test(part) && !part.includes('..'))) {
    throw new KlingConfigError(
      `KlingClient: "${product}" is not a product path (e.g. videos/text2video or text-to-video/kling-3.0)`,
    );
  }
  const name = parts.join('/');
  if (legacyFamilies.has(parts[0] as string)) return { name, dialect: 'legacy', createPath: `/v1/${name}` };
  if (parts.length !== 2) {
    throw new KlingConfigError(`KlingClient: a new-dialect product is <product>/<model>, got "${product}"`);
  }
  return { name, dialect: 'new', createPath: `/${name}` };
}

/** The dialect of a product path (see `parseProduct`). */
export function productDialect(product: string): KlingApiDialect {
  return parseProduct(product).dialect;
}
