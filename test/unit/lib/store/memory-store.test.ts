import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { contentStoreSuite, targetSuite } from '../../../conformance/content-store.suite.js';

contentStoreSuite('MemoryStore', async () => new MemoryStore());
targetSuite('MemoryStore', async () => new MemoryStore());
