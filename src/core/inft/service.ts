/**
 * INFT services: mint, show, list, reveal, authorize/revoke, request-access, transfer, clone, rotate, sweep.
 * Each takes an InftContext (network, provider, collection, storage, oracle, progress) and typed options, throws
 * typed errors, and returns plain data. Nothing here prints. Data keys and agent keys exist in memory only; data
 * keys are zeroed after use, agent keys stay inside AgentKey objects (bundle.ts) that never serialize their key.
 */
import {ZeroAddress, getAddress, type JsonRpcProvider, type Wallet} from 'ethers'
import {callContract, sendContract, sendTransaction, type SendOptions} from '../chain/send.js'
import {authError, ExitCode, notFound, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {silentReporter, type Reporter} from '../progress.js'
import {checkAccessRequest, createAccessRequest, type AccessRequestFile} from './access.js'
import {AgentKey, newBundle, parseBundle, rotateBundle, serializeBundle, type AgentBundle, type AgentMetadata} from './bundle.js'
import {
  authorizedUsersOf,
  cloneLinks,
  delegateOf,
  intelligentDatasOf,
  mintedCount,
  nftRef,
  ownerOfToken,
  sealedKeyEvents,
  tokensEverHeldBy,
  trustedOracleOf,
  type IntelligentData,
} from './contract.js'
import {addressOfPublicKey, decryptPayload, encryptPayload, ethPublicKey, newDataKey, openSealed, publicKeyOf, sealTo} from './crypto.js'
import {buildDescription, parseDescription, serializeDescription, type AgentDataDescription} from './description.js'
import {accessKeyDigest, OracleClient, resealDigest, signRequestDigest, type OracleInfo, type OwnershipProofJson} from './oracle.js'
import {ownershipProofDigest, recoverProofSigner} from './proofs.js'
import type {BlobStore} from './store.js'

export interface InftContext {
  network: NetworkProfile
  provider: JsonRpcProvider
  chainId: number
  /** The AgentNFT collection. */
  nft: string
  store: BlobStore
  /** The re-encryption oracle (network profile's oracleUrl); transfers, clones and authorized users need it. */
  oracle?: OracleClient
  reporter?: Reporter
  signal?: AbortSignal
  /** Gas price, receipt timeout … for every transaction. */
  tx?: Partial<SendOptions>
  /** First block to scan for events (the collection's deployment block when known). */
  fromBlock?: number
}

/** A reporter that renames the send helper's generic 'tx' step (so a command can show "mint", "transfer" …). */
function stepAs(r: Reporter, name: string): Reporter {
  return {emit: (e) => r.emit(e.step === 'tx' ? {...e, step: name} : e)}
}

const rep = (ctx: InftContext) => ctx.reporter ?? silentReporter

function txOpts(ctx: InftContext, step: string): SendOptions {
  return {...ctx.tx, reporter: stepAs(rep(ctx), step), signal: ctx.signal, iface: nftRef(ctx.nft).iface}
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle

/** The oracle's info, checked against the key the collection's verifier trusts. */
async function trustedOracle(ctx: InftContext): Promise<OracleInfo> {
  if (!ctx.oracle) {
    throw usageError(`The network "${ctx.network.name}" has no INFT re-encryption oracle configured.`, {
      code: 'ORACLE_NOT_CONFIGURED',
      suggestions: ctx.network.local ? ['Start the devnet: zg node start'] : ['Set the profile\'s oracle URL: zg network add NAME … --oracle URL --force'],
    })
  }
  const [info, trusted] = await Promise.all([ctx.oracle.info(), trustedOracleOf(ctx.provider, ctx.nft)])
  if (getAddress(info.address) !== trusted || addressOfPublicKey(info.publicKey) !== trusted) {
    throw new ZgError(`The oracle at ${ctx.oracle.url} signs as ${info.address}, but the collection's verifier trusts ${trusted}.`, {
      code: 'ORACLE_NOT_TRUSTED',
      exit: ExitCode.USAGE,
      suggestions: ['Point the profile at the oracle the verifier trusts (zg network add NAME … --oracle URL --force), or have the collection owner update the verifier.'],
    })
  }
  return info
}

/** Like trustedOracle, but a missing or untrusted oracle is a warning (mint and rotate work without one). */
async function optionalOracle(ctx: InftContext, warnings: string[]): Promise<OracleInfo | undefined> {
  if (!ctx.oracle) {
    warnings.push('No INFT oracle is configured for this network: users you authorize will not be able to read the agent, and transfers will need an oracle.')
    return undefined
  }
  try {
    return await trustedOracle(ctx)
  } catch (e) {
    if (e instanceof ZgError) {
      warnings.push(`The data key was not sealed to the oracle (${e.message}); users you authorize will not be able to read the agent until the next rotate.`)
      return undefined
    }
    throw e
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encrypt, upload, seal

interface Sealed {
  data: IntelligentData
  description: AgentDataDescription
  root: string
  size: number
  storageTxHash: string | null
  storageFee: string
  /** The data key sealed to the owner. */
  ownerSealedKey: string
  oracleSealed: boolean
}

async function encryptAndStore(ctx: InftContext, bundle: AgentBundle, ownerPubkey: string, warnings: string[]): Promise<Sealed> {
  const r = rep(ctx)
  const dataKey = newDataKey()
  try {
    r.emit({step: 'encrypt', status: 'started', message: 'Encrypting the agent bundle (AES-256-GCM, fresh data key)'})
    const plain = serializeBundle(bundle)
    const blob = encryptPayload(plain, dataKey)
    plain.fill(0)
    r.emit({step: 'encrypt', status: 'done', message: `${blob.length} bytes of ciphertext`})
    const stored = await ctx.store.put(blob)
    r.emit({step: 'seal', status: 'started', message: 'Sealing the data key (ECIES) to the owner and the oracle'})
    const ownerSealedKey = sealTo(ownerPubkey, dataKey)
    const oracle = await optionalOracle(ctx, warnings)
    const description = buildDescription({
      root: stored.root,
      size: stored.size,
      agent: bundle.agent.address,
      oracle: oracle ? {address: oracle.address, sealedKey: sealTo(oracle.publicKey, dataKey)} : undefined,
    })
    r.emit({step: 'seal', status: 'done', message: oracle ? 'sealed to the owner and the oracle' : 'sealed to the owner'})
    return {
      data: {dataDescription: serializeDescription(description), dataHash: stored.root},
      description,
      root: stored.root,
      size: stored.size,
      storageTxHash: stored.txHash,
      storageFee: stored.fee,
      ownerSealedKey,
      oracleSealed: Boolean(oracle),
    }
  } finally {
    dataKey.fill(0)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mint

export interface MintOptions {
  signer: Wallet
  metadata: AgentMetadata
  agentKey: AgentKey
  /** Default: the signer. */
  to?: string
  /** The receiver's public key, required when `to` is not the signer. */
  toPublicKey?: string
}

export interface MintResult {
  tokenId: string
  owner: string
  agent: string
  dataRoot: string
  dataSize: number
  txHash: string
  storageTxHash: string | null
  storageFee: string
  mintFee: string
  oracleSealed: boolean
  nft: string
  warnings: string[]
}

export async function mintAgent(ctx: InftContext, o: MintOptions): Promise<MintResult> {
  const warnings: string[] = []
  const to = getAddress(o.to ?? o.signer.address)
  let ownerPubkey: string
  if (to === o.signer.address) ownerPubkey = publicKeyOf(o.signer.signingKey)
  else {
    if (!o.toPublicKey) {
      throw usageError(`Minting to ${to} needs its public key, to seal the data key to it.`, {
        code: 'PUBLIC_KEY_REQUIRED',
        suggestions: ['Pass --to-pubkey (64-byte hex; the receiver\'s `zg inft request-access` file holds it as "publicKey"), or mint to yourself and transfer.'],
      })
    }
    ownerPubkey = ethPublicKey(o.toPublicKey)
    if (addressOfPublicKey(ownerPubkey) !== to) throw usageError(`--to-pubkey belongs to ${addressOfPublicKey(ownerPubkey)}, not to --to ${to}.`, {code: 'PUBLIC_KEY_MISMATCH'})
  }
  const bundle = newBundle(o.metadata, o.agentKey)
  const fee = await callContract<bigint>(ctx.provider, nftRef(ctx.nft), 'getMintFee')
  const sealed = await encryptAndStore(ctx, bundle, ownerPubkey, warnings)
  const res = await sendContract(o.signer, ctx.provider, nftRef(ctx.nft), 'mintWithSealedKeys', [[sealed.data], to, [sealed.ownerSealedKey]], {...txOpts(ctx, 'mint'), value: fee, label: 'AgentNFT.mint'})
  const transfer = res.events.find((e) => e.name === 'Transfer')
  if (!transfer) throw new ZgError('The mint transaction succeeded but emitted no Transfer event.', {code: 'MINT_NO_EVENT', exit: ExitCode.UNEXPECTED, details: {hash: res.hash}})
  return {
    tokenId: (transfer.args.tokenId as bigint).toString(),
    owner: to,
    agent: bundle.agent.address,
    dataRoot: sealed.root,
    dataSize: sealed.size,
    txHash: res.hash,
    storageTxHash: sealed.storageTxHash,
    storageFee: sealed.storageFee,
    mintFee: fee.toString(),
    oracleSealed: sealed.oracleSealed,
    nft: ctx.nft,
    warnings,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Show / list

export interface TokenDataView {
  dataHash: string
  dataDescription: string
  /** Parsed when it is a zg agent description. */
  description?: AgentDataDescription
}

export interface TokenView {
  tokenId: string
  nft: string
  owner: string
  creator: string | null
  agent: string | null
  /** Native balance of the agent address, wei (decimal). */
  agentBalance: string | null
  datas: TokenDataView[]
  authorizedUsers: string[]
}

export async function showToken(ctx: InftContext, tokenId: bigint): Promise<TokenView> {
  const owner = await ownerOfToken(ctx.provider, ctx.nft, tokenId)
  const [datas, users, creator] = await Promise.all([
    intelligentDatasOf(ctx.provider, ctx.nft, tokenId),
    authorizedUsersOf(ctx.provider, ctx.nft, tokenId),
    callContract<string>(ctx.provider, nftRef(ctx.nft), 'creatorOf', [tokenId]).catch(() => null),
  ])
  const views = datas.map((d) => ({...d, description: parseDescription(d.dataDescription)}))
  const agent = views.find((v) => v.description)?.description?.agent ?? null
  const balance = agent ? (await ctx.provider.getBalance(agent)).toString() : null
  return {tokenId: tokenId.toString(), nft: ctx.nft, owner, creator: creator ? getAddress(creator) : null, agent, agentBalance: balance, datas: views, authorizedUsers: users}
}

export interface TokenSummary {
  tokenId: string
  owner: string
  agent: string | null
  dataHash: string | null
}

export async function listTokens(ctx: InftContext, o: {owner?: string} = {}): Promise<TokenSummary[]> {
  let ids: bigint[]
  if (o.owner) ids = await tokensEverHeldBy(ctx.provider, ctx.nft, o.owner, ctx.fromBlock ?? 0)
  else {
    // totalMinted is this collection's; other ERC-7857 collections are listed from their mint events.
    const n = await mintedCount(ctx.provider, ctx.nft).catch(() => undefined)
    ids = n !== undefined ? Array.from({length: Number(n)}, (_, i) => BigInt(i)) : await tokensEverHeldBy(ctx.provider, ctx.nft, ZeroAddress, ctx.fromBlock ?? 0, 'from')
  }
  const out: TokenSummary[] = []
  // Bounded parallelism: a few calls per token.
  const queue = [...ids]
  const work = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let owner: string
      try {
        owner = await ownerOfToken(ctx.provider, ctx.nft, id)
      } catch (e) {
        if (e instanceof ZgError && e.code === 'TOKEN_NOT_FOUND') continue
        throw e
      }
      if (o.owner && owner !== getAddress(o.owner)) continue
      const datas = await intelligentDatasOf(ctx.provider, ctx.nft, id)
      const d = datas.map((x) => parseDescription(x.dataDescription)).find(Boolean)
      out.push({tokenId: id.toString(), owner, agent: d?.agent ?? null, dataHash: datas[0]?.dataHash ?? null})
    }
  }
  await Promise.all(Array.from({length: 8}, work))
  return out.sort((a, b) => (BigInt(a.tokenId) < BigInt(b.tokenId) ? -1 : 1))
}

// ---------------------------------------------------------------------------------------------------------------
// Keys and reveal

interface OpenedData {
  keys: Uint8Array[]
  plaintexts: Uint8Array[]
  via: 'sealed-key' | 'oracle'
}

function wipe(o: {keys: Uint8Array[]; plaintexts?: Uint8Array[]}) {
  for (const k of o.keys) k.fill(0)
  for (const p of o.plaintexts ?? []) p.fill(0)
}

/**
 * The data keys of a token's data for `reader`, each checked by decrypting the stored ciphertext: first from the
 * PublishedSealedKey events addressed to the reader (newest first), then, for the owner or an authorized user,
 * through the oracle's copy. The decrypted plaintexts come along (they were needed for the check).
 */
async function openTokenData(ctx: InftContext, reader: Wallet, tokenId: bigint, datas: IntelligentData[], allowOracle: boolean): Promise<OpenedData> {
  const r = rep(ctx)
  r.emit({step: 'download', status: 'started', message: `Fetching ${datas.length} encrypted item(s) from 0G Storage`})
  const blobs: Uint8Array[] = []
  for (const d of datas) blobs.push(await ctx.store.get(d.dataHash, maxBytesOf(d)))
  r.emit({step: 'download', status: 'done'})
  r.emit({step: 'keys', status: 'started', message: 'Opening the sealed data key'})
  const keys: (Uint8Array | undefined)[] = datas.map(() => undefined)
  const plaintexts: (Uint8Array | undefined)[] = datas.map(() => undefined)
  // A key that opened (so it was sealed to the reader) but does not authenticate the ciphertext: corrupted data,
  // or a key for other data. Reported as is when nothing else works.
  let authFailure: unknown
  const tryKey = (i: number, k: Uint8Array): boolean => {
    try {
      plaintexts[i] = decryptPayload(blobs[i]!, k, `data item ${i} (${datas[i]!.dataHash})`)
      keys[i] = k
      return true
    } catch (e) {
      authFailure ??= e
      k.fill(0)
      return false
    }
  }
  const events = await sealedKeyEvents(ctx.provider, ctx.nft, reader.address, tokenId, ctx.fromBlock ?? 0)
  for (let i = 0; i < datas.length; i++) {
    for (const e of events) {
      const s = e.sealedKeys[i]
      if (!s) continue
      let k: Uint8Array
      try {
        k = openSealed(reader.signingKey, s)
      } catch {
        continue
      }
      if (tryKey(i, k)) break
    }
  }
  let via: OpenedData['via'] = 'sealed-key'
  if (keys.some((k) => !k) && allowOracle && ctx.oracle) {
    via = 'oracle'
    r.emit({step: 'keys', status: 'info', message: 'No usable sealed key for this account on chain; asking the oracle'})
    const deadline = Math.floor(Date.now() / 1000) + 300
    const req = {chainId: ctx.chainId, nft: ctx.nft, tokenId: tokenId.toString(), user: reader.address, targetPubkey: publicKeyOf(reader.signingKey), deadline}
    const res = await ctx.oracle.access({...req, signature: await signRequestDigest(reader, accessKeyDigest(req))})
    for (let i = 0; i < datas.length; i++) {
      if (keys[i]) continue
      const s = res.sealedKeys[i]
      if (!s || s.dataHash.toLowerCase() !== datas[i]!.dataHash.toLowerCase()) continue
      tryKey(i, openSealed(reader.signingKey, s.sealedKey))
    }
  }
  if (keys.some((k) => !k)) {
    wipe({keys: keys.filter(Boolean) as Uint8Array[], plaintexts: plaintexts.filter(Boolean) as Uint8Array[]})
    if (authFailure) throw authFailure
    throw authError(`No data key for token ${tokenId} opens its current data with the key of ${reader.address}.`, {
      code: 'NO_DATA_KEY',
      suggestions: [
        'The token may have been moved with a plain ERC-721 transfer (no key handed over) and no oracle copy is available.',
        'Transfers made with `zg inft transfer` publish the key for the receiver.',
      ],
    })
  }
  r.emit({step: 'keys', status: 'done', message: via === 'oracle' ? 'opened through the oracle' : 'opened the published sealed key'})
  return {keys: keys as Uint8Array[], plaintexts: plaintexts as Uint8Array[], via}
}

function maxBytesOf(d: IntelligentData): number | undefined {
  const desc = parseDescription(d.dataDescription)
  return desc ? desc.storage_ptr.size : undefined
}

export interface RevealResult {
  tokenId: string
  owner: string
  /** Whether the reader is the owner or an authorized user. */
  role: 'owner' | 'authorized'
  via: 'sealed-key' | 'oracle'
  dataRoot: string
  bundle: AgentBundle
  warnings: string[]
}

/** Checks the reader may read (owner or authorized on chain) and decrypts the agent bundle. */
export async function revealAgent(ctx: InftContext, o: {reader: Wallet; tokenId: bigint}): Promise<RevealResult> {
  const owner = await ownerOfToken(ctx.provider, ctx.nft, o.tokenId)
  const [datas, users] = await Promise.all([intelligentDatasOf(ctx.provider, ctx.nft, o.tokenId), authorizedUsersOf(ctx.provider, ctx.nft, o.tokenId)])
  const me = o.reader.address
  const role = me === owner ? 'owner' : users.includes(me) ? 'authorized' : undefined
  if (!role) {
    throw authError(`${me} may not read token ${o.tokenId}: it is owned by ${owner} and ${me} is not among its authorized users.`, {
      code: 'NOT_AUTHORIZED',
      suggestions: ['Sign with the owner\'s account (--account), or ask the owner to run: zg inft authorize ' + o.tokenId + ' --user ' + me],
    })
  }
  const warnings: string[] = []
  const i = datas.findIndex((d) => parseDescription(d.dataDescription))
  if (i < 0) throw new ZgError(`Token ${o.tokenId} carries no zg agent data (its descriptions are not zg's).`, {code: 'NOT_A_ZG_AGENT', exit: ExitCode.USAGE})
  const opened = await openTokenData(ctx, o.reader, o.tokenId, datas, true)
  try {
    const bundle = parseBundle(opened.plaintexts[i]!)
    const desc = parseDescription(datas[i]!.dataDescription)!
    if (desc.agent !== bundle.agent.address) warnings.push(`The description names agent ${desc.agent}, the encrypted bundle holds ${bundle.agent.address}.`)
    return {tokenId: o.tokenId.toString(), owner, role, via: opened.via, dataRoot: datas[i]!.dataHash, bundle, warnings}
  } finally {
    wipe(opened)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Authorize / revoke

export interface AuthorizeResult {
  tokenId: string
  user: string
  txHash: string
  authorizedUsers: string[]
}

async function requireOwner(ctx: InftContext, who: string, tokenId: bigint, doing: string): Promise<string> {
  const owner = await ownerOfToken(ctx.provider, ctx.nft, tokenId)
  if (owner !== getAddress(who)) {
    throw authError(`Only the owner of token ${tokenId} (${owner}) can ${doing}; you are signing as ${who}.`, {code: 'NOT_OWNER', suggestions: ['Sign with the owner\'s account (--account NAME).']})
  }
  return owner
}

export async function authorizeUser(ctx: InftContext, o: {owner: Wallet; tokenId: bigint; user: string; revoke?: boolean}): Promise<AuthorizeResult> {
  const user = getAddress(o.user)
  await requireOwner(ctx, o.owner.address, o.tokenId, o.revoke ? 'revoke users' : 'authorize users')
  const users = await authorizedUsersOf(ctx.provider, ctx.nft, o.tokenId)
  if (!o.revoke && users.includes(user)) throw usageError(`${user} is already authorized for token ${o.tokenId}.`, {code: 'ALREADY_AUTHORIZED'})
  if (o.revoke && !users.includes(user)) throw notFound(`${user} is not an authorized user of token ${o.tokenId}.`, {code: 'NOT_AUTHORIZED_USER'})
  const step = o.revoke ? 'revoke' : 'authorize'
  const res = await sendContract(o.owner, ctx.provider, nftRef(ctx.nft), o.revoke ? 'revokeAuthorization' : 'authorizeUsage', [o.tokenId, user], txOpts(ctx, step))
  return {tokenId: o.tokenId.toString(), user, txHash: res.hash, authorizedUsers: await authorizedUsersOf(ctx.provider, ctx.nft, o.tokenId)}
}

// ---------------------------------------------------------------------------------------------------------------
// Access requests, transfer and clone

export async function requestAccess(ctx: InftContext, o: {signer: Wallet; tokenId: bigint; receiver?: string; ttlSeconds?: number}): Promise<AccessRequestFile> {
  const datas = await intelligentDatasOf(ctx.provider, ctx.nft, o.tokenId)
  const receiver = getAddress(o.receiver ?? o.signer.address)
  if (receiver !== o.signer.address) {
    const delegate = await delegateOf(ctx.provider, ctx.nft, receiver)
    if (delegate !== o.signer.address) {
      throw usageError(`${o.signer.address} is not the access delegate of ${receiver}, so it cannot sign for it.`, {code: 'NOT_DELEGATE', suggestions: [`The receiver names a delegate on chain with AgentNFT.delegateAccess, or signs itself.`]})
    }
  }
  return createAccessRequest({chainId: ctx.chainId, nft: ctx.nft, tokenId: o.tokenId, datas, signer: o.signer, receiver, ttlSeconds: o.ttlSeconds})
}

export interface TransferOptions {
  owner: Wallet
  tokenId: bigint
  to: string
  access: AccessRequestFile
}

export interface TransferResult {
  tokenId: string
  /** For a clone: the new token. */
  newTokenId?: string
  from: string
  to: string
  txHash: string
  oracle: string
  dataRoots: string[]
  warnings: string[]
}

/** Transfer (or clone) with proofs: see oracle.ts for the flow. */
export async function transferAgent(ctx: InftContext, o: TransferOptions & {clone?: boolean}): Promise<TransferResult> {
  const r = rep(ctx)
  const to = getAddress(o.to)
  const from = await requireOwner(ctx, o.owner.address, o.tokenId, o.clone ? 'clone it' : 'transfer it')
  if (to === from && !o.clone) throw usageError(`${to} already owns token ${o.tokenId}.`, {code: 'SAME_OWNER'})
  const [datas, delegate] = await Promise.all([intelligentDatasOf(ctx.provider, ctx.nft, o.tokenId), delegateOf(ctx.provider, ctx.nft, to)])
  const targetPubkey = checkAccessRequest(o.access, {chainId: ctx.chainId, nft: ctx.nft, tokenId: o.tokenId, to, datas, delegate})
  const oracle = await trustedOracle(ctx)
  const opened = await openTokenData(ctx, o.owner, o.tokenId, datas, true)
  let ownership: OwnershipProofJson[]
  try {
    r.emit({step: 'oracle', status: 'started', message: `Asking the oracle ${ctx.oracle!.url} to re-seal the data key for ${to}`})
    const req = {
      chainId: ctx.chainId,
      nft: ctx.nft,
      tokenId: o.tokenId.toString(),
      from,
      targetPubkey,
      sealedKeys: opened.keys.map((k) => sealTo(oracle.publicKey, k)),
      deadline: Math.floor(Date.now() / 1000) + 300,
    }
    const res = await ctx.oracle!.reseal({...req, signature: await signRequestDigest(o.owner, resealDigest(req))})
    ownership = res.ownershipProofs
  } finally {
    wipe(opened)
  }
  if (!Array.isArray(ownership) || ownership.length !== datas.length) throw oracleBad(`it returned ${ownership?.length ?? 0} ownership proof(s) for ${datas.length} data item(s)`)
  for (const [i, p] of ownership.entries()) {
    if (p.dataHash.toLowerCase() !== datas[i]!.dataHash || ethPublicKey(p.targetPubkey) !== targetPubkey) throw oracleBad(`proof ${i} is for other data or another key`)
    const signer = recoverProofSigner(ownershipProofDigest({chainId: ctx.chainId, nft: ctx.nft, ...p}), p.proof)
    if (getAddress(signer) !== getAddress(oracle.address)) throw oracleBad(`proof ${i} is not signed by the oracle`)
  }
  r.emit({step: 'oracle', status: 'done', message: 'ownership proof signed'})
  const proofs = datas.map((_, i) => {
    const a = o.access.proofs[i]!
    const p = ownership[i]!
    return {
      accessProof: {dataHash: a.dataHash, targetPubkey: a.targetPubkey, nonce: a.nonce, proof: a.proof, deadline: a.deadline},
      ownershipProof: {oracleType: p.oracleType, dataHash: p.dataHash, sealedKey: p.sealedKey, targetPubkey: p.targetPubkey, nonce: p.nonce, proof: p.proof, deadline: p.deadline},
    }
  })
  const step = o.clone ? 'clone' : 'transfer'
  const res = await sendContract(o.owner, ctx.provider, nftRef(ctx.nft), o.clone ? 'iCloneFrom' : 'iTransferFrom', [from, to, o.tokenId, proofs], txOpts(ctx, step))
  const warnings: string[] = []
  let newTokenId: string | undefined
  if (o.clone) {
    const ev = res.events.find((e) => e.name === 'Cloned')
    newTokenId = ev ? (ev.args._newTokenId as bigint).toString() : undefined
    warnings.push(`The clone shares the agent key with token ${o.tokenId}: its owner should run \`zg inft rotate ${newTokenId ?? '<new id>'}\` for an agent of its own.`)
  } else {
    warnings.push(`${from} still knows the current data key and agent key: the new owner should run \`zg inft rotate ${o.tokenId}\` to move the agent to a fresh key.`)
  }
  return {tokenId: o.tokenId.toString(), newTokenId, from, to, txHash: res.hash, oracle: oracle.address, dataRoots: datas.map((d) => d.dataHash), warnings}
}

function oracleBad(why: string) {
  return new ZgError(`The oracle's answer is not usable: ${why}.`, {code: 'ORACLE_BAD_RESPONSE', exit: ExitCode.NETWORK})
}

// ---------------------------------------------------------------------------------------------------------------
// Sweep and rotate

export interface SweepOutcome {
  from: string
  to: string
  /** Wei moved (decimal); "0" when the balance did not cover the gas. */
  amount: string
  /** Balance left behind (wei, decimal). */
  left: string
  txHash: string | null
}

/**
 * Moves an account's whole native balance to `to`, paying the gas from it: a legacy transaction at a fixed gas
 * price with the exact gas a plain transfer uses, so nothing is left behind (for a contract receiver the estimate
 * plus headroom is reserved and the unused part stays).
 */
export async function sweepNative(provider: JsonRpcProvider, from: Wallet, to: string, o: {tx?: Partial<SendOptions>; reporter?: Reporter; signal?: AbortSignal; label?: string} = {}): Promise<SweepOutcome> {
  const dest = getAddress(to)
  const balance = await provider.getBalance(from.address)
  if (balance === 0n) return {from: from.address, to: dest, amount: '0', left: '0', txHash: null}
  const gasPrice = o.tx?.gasPrice ?? (await provider.getFeeData()).gasPrice ?? BigInt(await provider.send('eth_gasPrice', []))
  const code = await provider.getCode(dest)
  const gasLimit = code === '0x' ? 21_000n : ((await provider.estimateGas({from: from.address, to: dest, value: 1n})) * 12n) / 10n
  const fee = gasLimit * gasPrice
  if (balance <= fee) return {from: from.address, to: dest, amount: '0', left: balance.toString(), txHash: null}
  const value = balance - fee
  const res = await sendTransaction(from, provider, {to: dest, value, gasLimit}, {...o.tx, gasPrice, gasLimit, reporter: o.reporter, signal: o.signal, label: o.label ?? 'sweep'})
  const left = await provider.getBalance(from.address)
  return {from: from.address, to: dest, amount: value.toString(), left: left.toString(), txHash: res.hash}
}

export interface SweepResult {
  tokenId: string
  sweeps: SweepOutcome[]
}

/** Moves the agent wallet's native balance (and with `previous`, that of the agent's retired keys) to `to`. */
export async function sweepAgent(ctx: InftContext, o: {owner: Wallet; tokenId: bigint; to?: string; previous?: boolean}): Promise<SweepResult> {
  await requireOwner(ctx, o.owner.address, o.tokenId, 'sweep its agent wallet')
  const revealed = await revealAgent(ctx, {reader: o.owner, tokenId: o.tokenId})
  const to = getAddress(o.to ?? o.owner.address)
  const keys = [revealed.bundle.agent, ...(o.previous ? revealed.bundle.previousAgents.map((p) => p.key) : [])]
  const sweeps: SweepOutcome[] = []
  for (const k of keys) {
    if (k.address === to) continue
    sweeps.push(await sweepNative(ctx.provider, k.wallet(), to, {tx: ctx.tx, reporter: stepAs(rep(ctx), 'sweep'), signal: ctx.signal, label: `sweep of agent ${k.address}`}))
  }
  return {tokenId: o.tokenId.toString(), sweeps}
}

export interface RotateResult {
  tokenId: string
  oldAgent: string
  newAgent: string
  oldDataRoot: string
  dataRoot: string
  txHash: string
  /** The move of the old agent's funds to the new agent, when done. */
  funds: SweepOutcome | null
  oracleSealed: boolean
  warnings: string[]
}

/**
 * The owner re-keys its agent: a fresh agent key, the bundle re-encrypted under a fresh data key, uploaded, and
 * the token updated (the new key is sealed to the owner on chain), then the old agent address's funds moved to
 * the new one. Order matters: the funds move only once the new key is safely on chain and storage. Afterwards a
 * previous owner who kept the old agent key or data key controls nothing and cannot read the new data.
 *
 * moveFunds 'auto' skips the move (with a warning) when another token, the clone source or a clone, still uses
 * the same agent: those funds are shared with that token's owner.
 */
export async function rotateAgent(ctx: InftContext, o: {owner: Wallet; tokenId: bigint; moveFunds?: 'auto' | 'yes' | 'no'}): Promise<RotateResult> {
  await requireOwner(ctx, o.owner.address, o.tokenId, 'rotate its agent')
  const datas = await intelligentDatasOf(ctx.provider, ctx.nft, o.tokenId)
  if (datas.length !== 1) throw usageError(`Token ${o.tokenId} has ${datas.length} data items; rotate handles tokens with one zg agent bundle.`, {code: 'ROTATE_UNSUPPORTED'})
  const revealed = await revealAgent(ctx, {reader: o.owner, tokenId: o.tokenId})
  const warnings = [...revealed.warnings]
  const old = revealed.bundle.agent
  let move = (o.moveFunds ?? 'auto') !== 'no'
  if (o.moveFunds === undefined || o.moveFunds === 'auto') {
    const shared = await tokensSharingAgent(ctx, o.tokenId, old.address)
    if (shared.length) {
      move = false
      warnings.push(`Token(s) ${shared.join(', ')} use the same agent ${old.address} (clone): its funds were left there. Pass --move-funds to move them anyway.`)
    }
  }
  const next = AgentKey.generate()
  const bundle = rotateBundle(revealed.bundle, next)
  const sealed = await encryptAndStore(ctx, bundle, publicKeyOf(o.owner.signingKey), warnings)
  const res = await sendContract(o.owner, ctx.provider, nftRef(ctx.nft), 'updateWithSealedKeys', [o.tokenId, [sealed.data], [sealed.ownerSealedKey]], txOpts(ctx, 'update'))
  let funds: SweepOutcome | null = null
  if (move) {
    try {
      funds = await sweepNative(ctx.provider, old.wallet(), next.address, {tx: ctx.tx, reporter: stepAs(rep(ctx), 'sweep'), signal: ctx.signal, label: `move of agent funds ${old.address} → ${next.address}`})
    } catch (e) {
      if (e instanceof ZgError) {
        throw new ZgError(`Token ${o.tokenId} now has the new agent ${next.address}, but moving the old agent's funds failed: ${e.message}`, {
          code: 'ROTATE_FUNDS_NOT_MOVED',
          exit: e.exit,
          cause: e,
          suggestions: [`The old key is kept in the new bundle; move the funds with: zg inft sweep ${o.tokenId} --previous --to ${next.address}`],
          details: {txHash: res.hash, newAgent: next.address},
        })
      }
      throw e
    }
  }
  return {tokenId: o.tokenId.toString(), oldAgent: old.address, newAgent: next.address, oldDataRoot: datas[0]!.dataHash, dataRoot: sealed.root, txHash: res.hash, funds, oracleSealed: sealed.oracleSealed, warnings}
}

/** Other tokens (clone source or clones) whose current data names the agent `agent`. */
async function tokensSharingAgent(ctx: InftContext, tokenId: bigint, agent: string): Promise<string[]> {
  const links = await cloneLinks(ctx.provider, ctx.nft, tokenId, ctx.fromBlock ?? 0)
  const others = new Set<bigint>()
  for (const l of links) others.add(l.tokenId === tokenId ? l.newTokenId : l.tokenId)
  others.delete(tokenId)
  const out: string[] = []
  for (const id of others) {
    try {
      const datas = await intelligentDatasOf(ctx.provider, ctx.nft, id)
      if (datas.some((d) => parseDescription(d.dataDescription)?.agent === agent)) out.push(id.toString())
    } catch (e) {
      if (!(e instanceof ZgError && e.code === 'TOKEN_NOT_FOUND')) throw e
    }
  }
  return out
}

