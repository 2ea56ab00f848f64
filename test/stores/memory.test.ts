import { memoryStore } from '@kling-webhooks/core';
import { describeStoreContract } from '@kling-webhooks/testing/store-contract';

describeStoreContract('memoryStore', () => memoryStore());
