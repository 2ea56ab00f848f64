// Run before `next build`: Next.js loads the route module while building, so the secret must be set already.
const secret = process.env.KLING_WEBHOOK_SECRET;
if (secret === undefined || secret.trim() === '') {
  console.error(
    'KLING_WEBHOOK_SECRET is not set: copy the Webhook Secret (whsec_...) from the Kling console and run\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:next\n' +
      '(during a rotation, give both secrets separated by a comma; `next build` needs it too, since Next.js\n' +
      'loads the route module while building).\n' +
      'To try it without a Kling account, run the mock Kling API: it prints a secret to use here and a curl line\n' +
      'that creates a task whose callbacks come to this app:\n' +
      '  node packages/testing/dist/cli.js simulate   (from the repository root; elsewhere:\n' +
      '  npx -p @kling-webhooks/testing kling-webhooks simulate)',
  );
  process.exit(1);
}
