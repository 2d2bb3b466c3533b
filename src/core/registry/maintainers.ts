/**
 * Maintainers of a registered asset: accounts its owner appoints to publish new versions under the owner's name
 * (AssetRegistry.setMaintainer, owner only). Ownership, the name and the payment shares stay the owner's.
 */
import type {Wallet} from 'ethers'
import {sendContract, type SendOptions} from '../chain/send.js'
import {authError, isZgError, usageError} from '../errors.js'
import type {Reporter} from '../progress.js'
import type {AssetInfo, Registry} from './client.js'
import {parseAssetRef} from './refs.js'

export interface MaintainerList {
  assetId: string
  kind: string
  name: string
  owner: string
  maintainers: string[]
  network: string
}

export interface MaintainerChange extends MaintainerList {
  action: 'add' | 'remove'
  account: string
  /** False when the account already was (add) or was not (remove) a maintainer: no transaction was sent. */
  changed: boolean
  txHash: string | null
  blockNumber: number | null
  /** Wei of gas paid. */
  fee: string
}

const ZERO = '0x0000000000000000000000000000000000000000'

/**
 * The asset `input` names (id, name or OWNER/name; a version is refused: maintainers are per asset). A bare name the
 * signer owns is the signer's asset even when other owners use the name too.
 */
export async function maintainedAsset(reg: Registry, input: string, signer?: string): Promise<AssetInfo> {
  const ref = parseAssetRef(input)
  if (ref.version !== undefined) {
    throw usageError(`Maintainers belong to an asset, not to one version: drop "@${ref.version}" from ${input}.`, {code: 'INVALID_ASSET_REF', suggestions: [`Write ${input.slice(0, input.lastIndexOf('@'))}`]})
  }
  if (signer && ref.id === undefined && ref.owner === undefined) {
    const id = await reg.assetIdOf(signer, ref.name!)
    if (id !== undefined) return reg.asset(id)
  }
  return reg.resolveAsset(ref)
}

export function maintainerList(reg: Registry, a: AssetInfo): MaintainerList {
  return {assetId: a.id.toString(), kind: a.kind, name: a.name, owner: a.owner, maintainers: a.maintainers, network: reg.network.name}
}

/**
 * Appoints (`enabled`) or removes `account` as a maintainer of asset `a`, signed by its owner.
 * @throws authError NOT_ASSET_OWNER (4) when the signer is not the owner (checked before sending); usageError (2) for
 *   the zero address.
 */
export async function setMaintainer(
  reg: Registry,
  wallet: Wallet,
  a: AssetInfo,
  account: string,
  enabled: boolean,
  tx: Partial<SendOptions> & {reporter?: Reporter; signal?: AbortSignal},
): Promise<MaintainerChange> {
  const action = enabled ? 'add' : 'remove'
  if (account.toLowerCase() === ZERO) throw usageError('The zero address cannot be a maintainer.', {code: 'BAD_ADDRESS'})
  if (a.owner.toLowerCase() !== wallet.address.toLowerCase()) {
    throw authError(`${wallet.address} does not own ${a.kind} ${a.name} (asset ${a.id}); only its owner ${a.owner} can ${enabled ? 'appoint' : 'remove'} maintainers.`, {
      code: 'NOT_ASSET_OWNER',
      suggestions: ["Sign with the owner's account (--account)."],
      details: {assetId: a.id.toString(), owner: a.owner, signer: wallet.address},
    })
  }
  const has = a.maintainers.some((m) => m.toLowerCase() === account.toLowerCase())
  if (has === enabled) {
    return {...maintainerList(reg, a), action, account, changed: false, txHash: null, blockNumber: null, fee: '0'}
  }
  try {
    const res = await sendContract(wallet, reg.provider, reg.ref, 'setMaintainer', [a.id, account, enabled], {...tx, label: 'AssetRegistry.setMaintainer'})
    const after = await reg.asset(a.id)
    return {...maintainerList(reg, after), action, account, changed: true, txHash: res.hash, blockNumber: res.blockNumber, fee: res.fee.toString()}
  } catch (e) {
    // Ownership changed between the check and the transaction.
    if (isZgError(e) && (e.details as {revert?: {name?: string}} | undefined)?.revert?.name === 'NotAssetOwner') {
      throw authError(`${wallet.address} no longer owns asset ${a.id}.`, {code: 'NOT_ASSET_OWNER', cause: e})
    }
    throw e
  }
}
