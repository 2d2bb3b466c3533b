// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {
    IERC7857DataVerifier,
    AccessProof,
    OwnershipProof,
    TransferValidityProof,
    TransferValidityProofOutput,
    OracleType
} from "./ERC7857Types.sol";

/**
 * @title TEEVerifier: checks ERC-7857 transfer proofs for the zg devnet INFTs.
 * @notice The NFT contract calls `verifyTransferValidity`; `erc7857` below is that caller (msg.sender).
 *
 * Digest layout (the same as 0G AgenticID's TEEDataVerifier 1.1.0; src/core/inft/proofs.ts computes it):
 *   access    = keccak256(abi.encode(uint256 chainId, address erc7857, bytes32 dataHash,
 *                                    bytes targetPubkey, bytes nonce, uint256 deadline))
 *   ownership = keccak256(abi.encode(uint256 chainId, address erc7857, bytes32 dataHash,
 *                                    bytes sealedKey, bytes targetPubkey, bytes nonce, uint256 deadline))
 * Each digest is signed with EIP-191 over its 66-character lowercase hex string ("0x" + 64 hex digits), i.e.
 * keccak256("\x19Ethereum Signed Message:\n66" ‖ "0x…"), which is ethers' `wallet.signMessage(hexDigest)`.
 * The access proof may be signed by anyone (the NFT checks that the signer is the receiver or its delegate);
 * the ownership proof must be signed by `teeOracleAddress`. abi.encode (not encodePacked) keeps the boundaries
 * of the adjacent variable-length fields, chainId + erc7857 stop cross-chain and cross-collection replays.
 * Rules: `deadline >= block.timestamp`; each nonce is single-use per NFT contract and proof kind, under the key
 * keccak256(abi.encode(keccak256("ERC7857_TRANSFER_ACCESS" | "ERC7857_TRANSFER_OWNERSHIP"), erc7857, nonce)).
 * ZKP ownership proofs are not supported (as in 0G's reference).
 */
contract TEEVerifier is IERC7857DataVerifier, Ownable {
    bytes32 private constant ACCESS_TAG = keccak256("ERC7857_TRANSFER_ACCESS");
    bytes32 private constant OWNERSHIP_TAG = keccak256("ERC7857_TRANSFER_OWNERSHIP");

    address public teeOracleAddress;
    mapping(bytes32 => bool) public usedNonces;

    event OracleUpdated(address indexed previousOracle, address indexed newOracle);

    error DataVerifierDataHashMismatch();
    error DataVerifierInvalidAccessProof();
    error DataVerifierInvalidOwnershipProof(address recovered);
    error DataVerifierProofExpired(uint256 deadline, uint256 nowTimestamp);
    error DataVerifierNonceUsed(bytes nonce);
    error DataVerifierUnsupportedOracle(OracleType oracleType);
    error DataVerifierZeroOracle();

    constructor(address oracle, address owner_) Ownable(owner_) {
        if (oracle == address(0)) revert DataVerifierZeroOracle();
        teeOracleAddress = oracle;
        emit OracleUpdated(address(0), oracle);
    }

    function updateOracle(address oracle) external onlyOwner {
        if (oracle == address(0)) revert DataVerifierZeroOracle();
        emit OracleUpdated(teeOracleAddress, oracle);
        teeOracleAddress = oracle;
    }

    function accessDigest(address erc7857, AccessProof calldata ap) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, erc7857, ap.dataHash, ap.targetPubkey, ap.nonce, ap.deadline));
    }

    function ownershipDigest(address erc7857, OwnershipProof calldata op) public view returns (bytes32) {
        return keccak256(
            abi.encode(block.chainid, erc7857, op.dataHash, op.sealedKey, op.targetPubkey, op.nonce, op.deadline)
        );
    }

    /// @notice Whether a nonce is still unused for `erc7857` (kind: 0 access, 1 ownership).
    function isNonceUsed(address erc7857, uint8 kind, bytes calldata nonce) external view returns (bool) {
        return usedNonces[_nonceKey(kind == 0 ? ACCESS_TAG : OWNERSHIP_TAG, erc7857, nonce)];
    }

    function verifyTransferValidity(TransferValidityProof[] calldata proofs)
        external
        returns (TransferValidityProofOutput[] memory outputs)
    {
        address erc7857 = msg.sender;
        outputs = new TransferValidityProofOutput[](proofs.length);
        for (uint256 i = 0; i < proofs.length; i++) {
            AccessProof calldata ap = proofs[i].accessProof;
            OwnershipProof calldata op = proofs[i].ownershipProof;
            if (ap.dataHash != op.dataHash) revert DataVerifierDataHashMismatch();
            if (op.oracleType != OracleType.TEE) revert DataVerifierUnsupportedOracle(op.oracleType);
            _checkDeadline(ap.deadline);
            _checkDeadline(op.deadline);

            address assistant = _recover(accessDigest(erc7857, ap), ap.proof);
            if (assistant == address(0)) revert DataVerifierInvalidAccessProof();
            address oracle = _recover(ownershipDigest(erc7857, op), op.proof);
            if (oracle != teeOracleAddress) revert DataVerifierInvalidOwnershipProof(oracle);

            _useNonce(ACCESS_TAG, erc7857, ap.nonce);
            _useNonce(OWNERSHIP_TAG, erc7857, op.nonce);

            outputs[i] = TransferValidityProofOutput({
                oracleType: op.oracleType,
                dataHash: ap.dataHash,
                sealedKey: op.sealedKey,
                targetPubkey: op.targetPubkey,
                wantedKey: ap.targetPubkey,
                accessAssistant: assistant,
                accessProofNonce: ap.nonce,
                ownershipProofNonce: op.nonce
            });
        }
    }

    function _checkDeadline(uint256 deadline) private view {
        if (deadline < block.timestamp) revert DataVerifierProofExpired(deadline, block.timestamp);
    }

    function _nonceKey(bytes32 tag, address erc7857, bytes calldata nonce) private pure returns (bytes32) {
        return keccak256(abi.encode(tag, erc7857, nonce));
    }

    function _useNonce(bytes32 tag, address erc7857, bytes calldata nonce) private {
        bytes32 key = _nonceKey(tag, erc7857, nonce);
        if (usedNonces[key]) revert DataVerifierNonceUsed(nonce);
        usedNonces[key] = true;
    }

    /// @dev EIP-191 over the 66-character hex string of the digest; address(0) for a malformed signature.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        bytes32 hash = MessageHashUtils.toEthSignedMessageHash(bytes(Strings.toHexString(uint256(digest), 32)));
        (signer,,) = ECDSA.tryRecover(hash, signature);
    }
}
