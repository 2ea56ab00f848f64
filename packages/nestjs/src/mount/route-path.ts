import { RequestMethod } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

/**
 * Where the callback route sits: `path` under the app's global prefix (`app.setGlobalPrefix()`), as Nest places its
 * own routes, unless the prefix's `exclude` list names the path (for POST or every method) or `useGlobalPrefix` is
 * false. Read when the module initialises: by then `setGlobalPrefix`, called before `listen()` or `init()`, has run.
 */
export function routePath(path: string, config: ApplicationConfig, useGlobalPrefix: boolean): string {
  // Nest accepts "api", "/api" and "api/" alike.
  const prefix = config.getGlobalPrefix().replace(/^\/*/, '/').replace(/\/+$/, '');
  if (!useGlobalPrefix || prefix === '' || isExcluded(path, config)) return path;
  return `${prefix}${path}`;
}

function isExcluded(path: string, config: ApplicationConfig): boolean {
  const excluded = config.getGlobalPrefixOptions().exclude ?? [];
  return excluded.some(
    (route) =>
      (route.requestMethod === RequestMethod.ALL || route.requestMethod === RequestMethod.POST) &&
      route.pathRegex.test(path),
  );
}
