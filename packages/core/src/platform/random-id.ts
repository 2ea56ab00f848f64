// Node build. The web build (tsup.config.ts) replaces each `x.ts` of this folder and of verify/ that has an
// `x.web.ts` beside it by that file: the choice is made once, when the package is resolved, never per request.
export { randomUUID } from 'node:crypto';
