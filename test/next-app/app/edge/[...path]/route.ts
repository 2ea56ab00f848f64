import { after } from 'next/server';
import { createFixture } from '../../../../web-runtimes/fixture/app';

// The edge runtime: @kling-webhooks/core resolves to its web build (Web Crypto, no node:*).
export const runtime = 'edge';
export const dynamic = 'force-dynamic';

const fixture = createFixture({ waitUntil: (work) => after(work) });

export const POST = (request: Request) => fixture(request);
export const GET = POST;
