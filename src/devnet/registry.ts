import type {ServiceModule} from './service.js'
import {storageService} from './storage-service.js'

/**
 * Every service the devnet runs besides the chain, in start order. Storage nodes and indexer, the compute provider
 * and the INFT oracle register here as they land.
 */
export const SERVICES: ServiceModule[] = [storageService]
