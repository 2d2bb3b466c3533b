// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {
    IERC7857DataVerifier,
    IntelligentData,
    TransferValidityProof,
    TransferValidityProofOutput
} from "./ERC7857Types.sol";

/**
 * @title AgentNFT: Intelligent NFTs (ERC-7857) for the zg devnet.
 * @notice The ABI of 0G's AgentNFT reference (0g-agent-nft v1): an ERC-721 whose tokens carry `IntelligentData`
 * (a description and the 0G Storage root of the encrypted payload). `iTransferFrom` / `iCloneFrom` need, for each
 * data item in order, a pair of proofs checked by the verifier (see TEEVerifier for the digests): the receiver
 * (or its delegate) asks for the data key to be sealed to `targetPubkey`, and the oracle vouches that `sealedKey`
 * is the data key sealed to that key. The sealed keys are published in `PublishedSealedKey` for the receiver.
 * When the access proof names no key, the sealed key must be for the receiver's own Ethereum key (64-byte public
 * key hashing to `to`). Authorized users are cleared on every transfer. Like the reference, plain ERC-721
 * transfers are not blocked; they move the token without handing over a key.
 */
contract AgentNFT is ERC721, Ownable, ReentrancyGuard {
    using EnumerableSet for EnumerableSet.AddressSet;

    uint256 public constant MAX_AUTHORIZED_USERS = 100;

    IERC7857DataVerifier private _verifier;
    string private _storageInfo;
    uint256 private _nextTokenId;
    uint256 private _mintFee;
    mapping(uint256 => IntelligentData[]) private _datas;
    mapping(uint256 => EnumerableSet.AddressSet) private _authorized;
    mapping(address => address) private _delegates;
    mapping(uint256 => address) private _creators;

    event Updated(uint256 indexed _tokenId, IntelligentData[] _oldDatas, IntelligentData[] _newDatas);
    event Authorization(address indexed _from, address indexed _to, uint256 indexed _tokenId);
    event AuthorizationRevoked(address indexed _from, address indexed _to, uint256 indexed _tokenId);
    event PublishedSealedKey(address indexed _to, uint256 indexed _tokenId, bytes[] _sealedKeys);
    event DelegateAccess(address indexed _user, address indexed _assistant);
    event Cloned(uint256 indexed _tokenId, uint256 indexed _newTokenId, address _from, address _to);
    event CreatorSet(uint256 indexed tokenId, address indexed creator);
    event VerifierUpdated(address indexed oldVerifier, address indexed newVerifier);
    event MintFeeUpdated(uint256 oldFee, uint256 newFee);

    error ERC7857InvalidAuthorizedUser(address);
    error ERC7857TooManyAuthorizedUsers();
    error ERC7857AlreadyAuthorized();
    error ERC7857InvalidAssistant(address);
    error ERC7857EmptyProof();
    error ERC7857ProofCountMismatch();
    error ERC7857DataHashMismatch();
    error ERC7857AccessAssistantMismatch();
    error ERC7857WantedReceiverMismatch();
    error ERC7857TargetPubkeyMismatch();
    error ERC7857NotAuthorized();
    error ERC7857EmptyData();
    error InsufficientMintFee(uint256 required, uint256 paid);
    error RefundFailed();

    constructor(string memory name_, string memory symbol_, string memory storageInfo_, address verifier_, address admin)
        ERC721(name_, symbol_)
        Ownable(admin)
    {
        _storageInfo = storageInfo_;
        _verifier = IERC7857DataVerifier(verifier_);
        emit VerifierUpdated(address(0), verifier_);
    }

    // --- views ---

    function verifier() external view returns (IERC7857DataVerifier) {
        return _verifier;
    }

    /// @notice JSON {"chainURL","indexerURL"}: where the encrypted payloads live.
    function storageInfo() external view returns (string memory) {
        return _storageInfo;
    }

    function intelligentDatasOf(uint256 tokenId) external view returns (IntelligentData[] memory) {
        _requireOwned(tokenId);
        return _datas[tokenId];
    }

    function authorizedUsersOf(uint256 tokenId) external view returns (address[] memory) {
        _requireOwned(tokenId);
        return _authorized[tokenId].values();
    }

    function getDelegateAccess(address user) external view returns (address) {
        return _delegates[user];
    }

    function creatorOf(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return _creators[tokenId];
    }

    function getMintFee() external view returns (uint256) {
        return _mintFee;
    }

    function totalMinted() external view returns (uint256) {
        return _nextTokenId;
    }

    /// @dev The first data item's description, as in the reference when no URI is set.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        IntelligentData[] storage d = _datas[tokenId];
        return d.length > 0 ? d[0].dataDescription : "";
    }

    // --- admin ---

    function setMintFee(uint256 fee) external onlyOwner {
        emit MintFeeUpdated(_mintFee, fee);
        _mintFee = fee;
    }

    function updateVerifier(address newVerifier) external onlyOwner {
        emit VerifierUpdated(address(_verifier), newVerifier);
        _verifier = IERC7857DataVerifier(newVerifier);
    }

    function withdrawFees(address payable to) external onlyOwner nonReentrant {
        (bool ok,) = to.call{value: address(this).balance}("");
        if (!ok) revert RefundFailed();
    }

    // --- minting and data ---

    /// @notice Mints a token carrying `iDatas` to `to`; the mint fee is kept, any excess refunded.
    function mint(IntelligentData[] calldata iDatas, address to) external payable nonReentrant returns (uint256 tokenId) {
        tokenId = _mintDatas(iDatas, to);
    }

    /// @notice `mint`, also publishing for `to` the data keys sealed to its key (one per data item), as
    /// `PublishedSealedKey`, so that the owner finds its key on chain like a receiver of a transfer does.
    function mintWithSealedKeys(IntelligentData[] calldata iDatas, address to, bytes[] calldata sealedKeys)
        external
        payable
        nonReentrant
        returns (uint256 tokenId)
    {
        if (sealedKeys.length != iDatas.length) revert ERC7857ProofCountMismatch();
        tokenId = _mintDatas(iDatas, to);
        emit PublishedSealedKey(to, tokenId, sealedKeys);
    }

    function _mintDatas(IntelligentData[] calldata iDatas, address to) private returns (uint256 tokenId) {
        if (iDatas.length == 0) revert ERC7857EmptyData();
        if (msg.value < _mintFee) revert InsufficientMintFee(_mintFee, msg.value);
        tokenId = _nextTokenId++;
        _setDatas(tokenId, iDatas);
        _creators[tokenId] = msg.sender;
        emit CreatorSet(tokenId, msg.sender);
        _safeMint(to, tokenId);
        uint256 excess = msg.value - _mintFee;
        if (excess > 0) {
            (bool ok,) = payable(msg.sender).call{value: excess}("");
            if (!ok) revert RefundFailed();
        }
    }

    /// @notice The owner replaces the token's data (e.g. after re-encrypting under a new key).
    function update(uint256 tokenId, IntelligentData[] calldata newDatas) external {
        _updateDatas(tokenId, newDatas);
    }

    /// @notice `update`, also publishing for the owner the new data keys sealed to its key (one per data item).
    function updateWithSealedKeys(uint256 tokenId, IntelligentData[] calldata newDatas, bytes[] calldata sealedKeys) external {
        if (sealedKeys.length != newDatas.length) revert ERC7857ProofCountMismatch();
        _updateDatas(tokenId, newDatas);
        emit PublishedSealedKey(msg.sender, tokenId, sealedKeys);
    }

    function _updateDatas(uint256 tokenId, IntelligentData[] calldata newDatas) private {
        if (ownerOf(tokenId) != msg.sender) revert ERC721IncorrectOwner(msg.sender, tokenId, ownerOf(tokenId));
        if (newDatas.length == 0) revert ERC7857EmptyData();
        IntelligentData[] memory old = _datas[tokenId];
        _setDatas(tokenId, newDatas);
        emit Updated(tokenId, old, newDatas);
    }

    function _setDatas(uint256 tokenId, IntelligentData[] calldata iDatas) private {
        delete _datas[tokenId];
        for (uint256 i = 0; i < iDatas.length; i++) {
            _datas[tokenId].push(iDatas[i]);
        }
    }

    // --- transfers with proofs ---

    /// @notice Transfers `tokenId` and publishes the data keys sealed for `to`. The caller must be the owner or
    /// approved, as for any ERC-721 transfer.
    function iTransferFrom(address from, address to, uint256 tokenId, TransferValidityProof[] calldata proofs)
        external
        nonReentrant
    {
        if (ownerOf(tokenId) != from) revert ERC721IncorrectOwner(from, tokenId, ownerOf(tokenId));
        bytes[] memory sealedKeys = _proofCheck(to, tokenId, proofs);
        emit PublishedSealedKey(to, tokenId, sealedKeys);
        safeTransferFrom(from, to, tokenId);
    }

    /// @notice Mints to `to` a new token with the same data, publishing the data keys sealed for `to`.
    function iCloneFrom(address from, address to, uint256 tokenId, TransferValidityProof[] calldata proofs)
        external
        nonReentrant
        returns (uint256 newTokenId)
    {
        address owner = ownerOf(tokenId);
        if (owner != from) revert ERC721IncorrectOwner(from, tokenId, owner);
        _checkAuthorized(owner, msg.sender, tokenId);
        bytes[] memory sealedKeys = _proofCheck(to, tokenId, proofs);
        newTokenId = _nextTokenId++;
        IntelligentData[] storage src = _datas[tokenId];
        for (uint256 i = 0; i < src.length; i++) {
            _datas[newTokenId].push(src[i]);
        }
        _creators[newTokenId] = msg.sender;
        emit CreatorSet(newTokenId, msg.sender);
        _safeMint(to, newTokenId);
        emit Cloned(tokenId, newTokenId, from, to);
        emit PublishedSealedKey(to, newTokenId, sealedKeys);
    }

    function _proofCheck(address to, uint256 tokenId, TransferValidityProof[] calldata proofs)
        private
        returns (bytes[] memory sealedKeys)
    {
        if (to == address(0)) revert ERC721InvalidReceiver(to);
        if (proofs.length == 0) revert ERC7857EmptyProof();
        IntelligentData[] storage datas = _datas[tokenId];
        if (proofs.length != datas.length) revert ERC7857ProofCountMismatch();
        TransferValidityProofOutput[] memory out = _verifier.verifyTransferValidity(proofs);
        if (out.length != datas.length) revert ERC7857ProofCountMismatch();
        sealedKeys = new bytes[](out.length);
        for (uint256 i = 0; i < out.length; i++) {
            if (out[i].dataHash != datas[i].dataHash) revert ERC7857DataHashMismatch();
            address assistant = out[i].accessAssistant;
            if (assistant != to && assistant != _delegates[to]) revert ERC7857AccessAssistantMismatch();
            if (out[i].wantedKey.length == 0) {
                if (out[i].targetPubkey.length != 64) revert ERC7857TargetPubkeyMismatch();
                if (address(uint160(uint256(keccak256(out[i].targetPubkey)))) != to) revert ERC7857WantedReceiverMismatch();
            } else if (keccak256(out[i].wantedKey) != keccak256(out[i].targetPubkey)) {
                revert ERC7857TargetPubkeyMismatch();
            }
            sealedKeys[i] = out[i].sealedKey;
        }
    }

    // --- usage authorization and delegation ---

    function authorizeUsage(uint256 tokenId, address user) external {
        if (user == address(0)) revert ERC7857InvalidAuthorizedUser(user);
        address owner = ownerOf(tokenId);
        if (owner != msg.sender) revert ERC721IncorrectOwner(msg.sender, tokenId, owner);
        EnumerableSet.AddressSet storage users = _authorized[tokenId];
        if (users.length() >= MAX_AUTHORIZED_USERS) revert ERC7857TooManyAuthorizedUsers();
        if (!users.add(user)) revert ERC7857AlreadyAuthorized();
        emit Authorization(msg.sender, user, tokenId);
    }

    function revokeAuthorization(uint256 tokenId, address user) external {
        address owner = ownerOf(tokenId);
        if (owner != msg.sender) revert ERC721IncorrectOwner(msg.sender, tokenId, owner);
        if (user == address(0)) revert ERC7857InvalidAuthorizedUser(user);
        if (!_authorized[tokenId].remove(user)) revert ERC7857NotAuthorized();
        emit AuthorizationRevoked(msg.sender, user, tokenId);
    }

    /// @notice Lets `assistant` sign access proofs on the caller's behalf (address(0) removes the delegate).
    function delegateAccess(address assistant) external {
        if (assistant == msg.sender) revert ERC7857InvalidAssistant(assistant);
        _delegates[msg.sender] = assistant;
        emit DelegateAccess(msg.sender, assistant);
    }

    /// @dev Every change of owner clears the usage authorizations the previous owner granted.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && from != to) {
            EnumerableSet.AddressSet storage users = _authorized[tokenId];
            while (users.length() > 0) users.remove(users.at(users.length() - 1));
        }
    }
}
