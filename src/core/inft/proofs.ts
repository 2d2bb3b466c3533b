import {AbiCoder, getBytes, hashMessage, hexlify, keccak256, recoverAddress, zeroPadValue, type BytesLike} from 'ethers'

/**
 * Digests of ERC-7857 transfer proofs, exactly as contracts/src/inft/TEEVerifier.sol computes them (the layout of
 * 0G AgenticID's TEEDataVerifier 1.1.0):
 *   access    = keccak256(abi.encode(chainId, nft, dataHash, targetPubkey, nonce, deadline))
 *   ownership = keccak256(abi.encode(chainId, nft, dataHash, sealedKey, targetPubkey, nonce, deadline))
 * `nft` is the AgentNFT contract (the verifier's caller). Signatures are EIP-191 over the digest's 66-character
 * lowercase hex string, which is what `signer.signMessage(digest)` does with a hex string in ethers v6.
 */
export interface AccessProofFields {
  chainId: bigint | number
  nft: string
  dataHash: BytesLike
  /** Key to seal the data key to; empty (0x) = the receiver's own Ethereum public key. */
  targetPubkey: BytesLike
  nonce: BytesLike
  /** Unix seconds; the proof is refused after it. */
  deadline: bigint | number
}

export interface OwnershipProofFields extends AccessProofFields {
  sealedKey: BytesLike
}

const coder = AbiCoder.defaultAbiCoder()

export function accessProofDigest(p: AccessProofFields): string {
  return keccak256(
    coder.encode(
      ['uint256', 'address', 'bytes32', 'bytes', 'bytes', 'uint256'],
      [p.chainId, p.nft, zeroPadValue(p.dataHash, 32), p.targetPubkey, p.nonce, p.deadline],
    ),
  )
}

export function ownershipProofDigest(p: OwnershipProofFields): string {
  return keccak256(
    coder.encode(
      ['uint256', 'address', 'bytes32', 'bytes', 'bytes', 'bytes', 'uint256'],
      [p.chainId, p.nft, zeroPadValue(p.dataHash, 32), p.sealedKey, p.targetPubkey, p.nonce, p.deadline],
    ),
  )
}

/** The exact text that is signed: "0x" + 64 lowercase hex digits. */
export function proofMessage(digest: BytesLike): string {
  return hexlify(getBytes(digest)).toLowerCase()
}

/** Anything that can sign an EIP-191 message: an ethers Wallet, HDNodeWallet or JsonRpcSigner. */
export interface MessageSigner {
  signMessage(message: string | Uint8Array): Promise<string>
}

export async function signProofDigest(signer: MessageSigner, digest: BytesLike): Promise<string> {
  return signer.signMessage(proofMessage(digest))
}

export function recoverProofSigner(digest: BytesLike, signature: string): string {
  return recoverAddress(hashMessage(proofMessage(digest)), signature)
}
