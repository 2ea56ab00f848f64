export { mockKling } from './server.js';
export type {
  MockApi,
  MockApiError,
  MockApiRequest,
  MockBehaviour,
  MockDelivery,
  MockKling,
  MockKlingEvent,
  MockKlingOptions,
  MockKlingStats,
  MockTask,
  PerCallback,
} from './types.js';
