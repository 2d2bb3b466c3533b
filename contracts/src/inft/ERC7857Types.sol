// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @dev Shapes of 0G's ERC-7857 reference (0g-agent-nft v1), with a `deadline` on both proofs as 0G's AgenticID
/// verifier 1.1.0 has, so that proofs expire.
struct IntelligentData {
    string dataDescription;
    bytes32 dataHash;
}

enum OracleType {
    TEE,
    ZKP
}

/// @dev Signed by the receiver (or the assistant it delegated access to).
struct AccessProof {
    bytes32 dataHash;
    /// @dev The key the data key must be sealed to; empty = the receiver's own Ethereum key.
    bytes targetPubkey;
    bytes nonce;
    bytes proof;
    uint256 deadline;
}

/// @dev Signed by the re-encryption oracle the verifier trusts.
struct OwnershipProof {
    OracleType oracleType;
    bytes32 dataHash;
    bytes sealedKey;
    /// @dev 64-byte uncompressed secp256k1 public key (no 0x04 prefix) the sealed key was made for.
    bytes targetPubkey;
    bytes nonce;
    bytes proof;
    uint256 deadline;
}

struct TransferValidityProof {
    AccessProof accessProof;
    OwnershipProof ownershipProof;
}

struct TransferValidityProofOutput {
    OracleType oracleType;
    bytes32 dataHash;
    bytes sealedKey;
    bytes targetPubkey;
    bytes wantedKey;
    address accessAssistant;
    bytes accessProofNonce;
    bytes ownershipProofNonce;
}

interface IERC7857DataVerifier {
    function verifyTransferValidity(TransferValidityProof[] calldata proofs)
        external
        returns (TransferValidityProofOutput[] memory);
}
