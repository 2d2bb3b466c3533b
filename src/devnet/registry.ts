import type {ServiceModule} from './service.js'
import {computeService} from './compute/index.js'
import {storageService} from './storage-service.js'
import {inftOracleService} from './inft-oracle.js'

/**
 * Every service the devnet runs besides the chain, in start order. Storage nodes and indexer, the compute provider
 * and the INFT oracle register here as they land.
 */
export const SERVICES: ServiceModule[] = [storageService, inftOracleService, computeService]
