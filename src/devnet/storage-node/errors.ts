/**
 * The error objects of 0G's storage node (NODE node/rpc/src/error.rs and jsonrpsee 0.14), so that clients matching
 * on codes and strings (the TS SDK checks `error.data == "already uploaded and finalized"`, the Go client the
 * message text of "too many data writing") behave against the devnet as against the real network.
 */
import {RpcError} from './rpc-server.js'

/** `error::invalid_params(param, msg)`: -32602, "Invalid params: <param>", data = msg. */
export const invalidParams = (param: string, msg: string) => new RpcError(-32602, `Invalid params: ${param}`, msg)

/** `error::internal_error(msg)`: -32603, "Internal error", data = msg. */
export const internalError = (msg: string) => new RpcError(-32603, 'Internal error', msg)

/** An anyhow error surfacing through jsonrpsee (`CallError::Failed`): -32000, the text as message, no data. */
export const callFailed = (msg: string) => new RpcError(-32000, msg)

/** A parameter that does not deserialize (serde): -32602 "Invalid params" with what was wrong as data. */
export const badParams = (msg: string) => new RpcError(-32602, 'Invalid params', msg)

/** Rust's `{:?}` of a `[u8; 32]` (how the node prints hashes inside its anyhow messages). */
export function rustBytes(hash: Uint8Array): string {
  return `[${Array.from(hash).join(', ')}]`
}

/** Rust's `{:?}` of a `Vec<bool>`. */
export function rustBools(path: readonly boolean[]): string {
  return `[${path.join(', ')}]`
}
