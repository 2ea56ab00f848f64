import { after } from 'next/server';
import { createFixture } from '../../../../web-runtimes/fixture/app';

// The Node.js runtime; `after` keeps handlers that outlast the ack budget running after the 202.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const fixture = createFixture({ waitUntil: (work) => after(work) });

export const POST = (request: Request) => fixture(request);
export const GET = POST;
