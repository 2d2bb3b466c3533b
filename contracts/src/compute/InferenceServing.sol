// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ServingBase} from "./ServingBase.sol";
import {SubAccounts, SubAccount, RefundRecord} from "./SubAccounts.sol";

struct ServiceParams {
    string serviceType;
    string url;
    string model;
    string verifiability;
    uint256 inputPrice;
    uint256 outputPrice;
    string additionalInfo;
    address teeSignerAddress;
}

struct Service {
    address provider;
    string serviceType;
    string url;
    uint256 inputPrice;
    uint256 outputPrice;
    uint256 updatedAt;
    string model;
    string verifiability;
    string additionalInfo;
    address teeSignerAddress;
    bool teeSignerAcknowledged;
}

struct Refund {
    uint256 index;
    uint256 amount;
    uint256 createdAt;
    bool processed;
}

struct Account {
    address user;
    address provider;
    uint256 nonce;
    uint256 balance;
    uint256 pendingRefund;
    Refund[] refunds;
    string additionalInfo;
    bool acknowledged;
    uint256 validRefundsLength;
    uint256 generation;
    uint256 revokedBitmap;
}

struct TEESettlementData {
    address user;
    address provider;
    uint256 totalFee;
    bytes32 requestsHash;
    uint256 nonce;
    bytes signature;
}

/**
 * @title InferenceServing (service "inference-v1.0") for the zg devnet.
 * @notice ABI of 0G's InferenceServing as bundled in @0gfoundation/0g-compute-ts-sdk 0.9.0. Providers register
 * with a 100 0G stake; users fund sub-accounts through the LedgerManager; providers settle batches of usage with
 * signatures of their TEE signer:
 *   EIP-712 domain {name: "0G Inference Serving", version: "1", chainId, verifyingContract: this proxy},
 *   TEESettlement(bytes32 requestsHash,uint256 nonce,address provider,address user,uint256 totalFee).
 * Status per settlement: 0 SUCCESS, 1 PARTIAL (balance short: what is there is taken), 2 PROVIDER_MISMATCH,
 * 3 NO_TEE_SIGNER (user ack and owner ack both needed), 4 INVALID_NONCE (must exceed the account nonce),
 * 5 INVALID_SIGNATURE. API keys: tokenId 0..254 can be revoked one by one (revokedBitmap), revokeAllTokens bumps
 * `generation`, which invalidates every key, the ephemeral tokenId 255 included.
 */
contract InferenceServing is ServingBase, EIP712 {
    using SubAccounts for SubAccounts.Map;
    using SubAccounts for SubAccount;
    using EnumerableSet for EnumerableSet.AddressSet;
    using EnumerableSet for EnumerableSet.Bytes32Set;

    uint8 public constant STATUS_SUCCESS = 0;
    uint8 public constant STATUS_PARTIAL = 1;
    uint8 public constant STATUS_PROVIDER_MISMATCH = 2;
    uint8 public constant STATUS_NO_TEE_SIGNER = 3;
    uint8 public constant STATUS_INVALID_NONCE = 4;
    uint8 public constant STATUS_INVALID_SIGNATURE = 5;
    uint256 internal constant MAX_SETTLEMENTS = 50;
    uint8 internal constant EPHEMERAL_TOKEN_ID = 255;

    bytes32 public constant TEE_SETTLEMENT_TYPEHASH =
        keccak256("TEESettlement(bytes32 requestsHash,uint256 nonce,address provider,address user,uint256 totalFee)");

    EnumerableSet.AddressSet private _providers;
    mapping(address => Service) private _services;

    event ContractInitialized(address indexed owner, uint256 lockTime, address ledgerAddress);
    event ServiceUpdated(
        address indexed service,
        string serviceType,
        string url,
        uint256 inputPrice,
        uint256 outputPrice,
        uint256 updatedAt,
        string model,
        string verifiability
    );
    event ServiceRemoved(address indexed service);
    event TEESettlementResult(address indexed user, uint8 status, uint256 unsettledAmount);
    event BatchBalanceUpdated(address[] users, uint256[] balances, uint256[] pendingRefunds);
    event TokenRevoked(address indexed user, address indexed provider, uint8 tokenId);
    event TokensRevoked(address indexed user, address indexed provider, uint8[] tokenIds);
    event AllTokensRevoked(address indexed user, address indexed provider, uint256 newGeneration);

    error CallerNotLedger(address caller);
    error LockTimeOutOfRange(uint256 lockTime, uint256 min, uint256 max);
    error LimitTooLarge(uint256 limit, uint256 max);
    error BatchSizeTooLarge(uint256 size, uint256 max);
    error TransferFailed();
    error InvalidAddress(address addr);
    error ProviderCannotBeUser();
    error NoSettlementsProvided();
    error TooManySettlements(uint256 count, uint256 max);
    error InvalidTEESignature(string reason);

    constructor() EIP712("0G Inference Serving", "1") {}

    function initialize(uint256 _locktime, address _ledgerAddress, address owner) external onlyInitializeOnce {
        if (_ledgerAddress == address(0)) revert InvalidAddress(_ledgerAddress);
        if (owner == address(0)) revert InvalidAddress(owner);
        _initServing(_locktime, _ledgerAddress, owner);
        emit ContractInitialized(owner, _locktime, _ledgerAddress);
    }

    function _revertNotLedger() internal view override {
        revert CallerNotLedger(msg.sender);
    }

    function _revertLockTime(uint256 lockTime_) internal pure override {
        revert LockTimeOutOfRange(lockTime_, MIN_LOCKTIME, MAX_LOCKTIME);
    }

    function _revertLimit(uint256 limit) internal pure override {
        revert LimitTooLarge(limit, MAX_PAGE);
    }

    function _revertTransferFailed() internal pure override {
        revert TransferFailed();
    }

    function _autoAcknowledge() internal pure override returns (bool) {
        return true;
    }

    // --- services ---

    function addOrUpdateService(ServiceParams calldata params) external payable {
        _checkAdditionalInfo(params.additionalInfo);
        bool registered = _providers.contains(msg.sender);
        _takeStake(registered);
        Service storage s = _services[msg.sender];
        // A new signer key must be vetted again before it can settle.
        if (!registered || s.teeSignerAddress != params.teeSignerAddress) s.teeSignerAcknowledged = false;
        _providers.add(msg.sender);
        s.provider = msg.sender;
        s.serviceType = params.serviceType;
        s.url = params.url;
        s.model = params.model;
        s.verifiability = params.verifiability;
        s.inputPrice = params.inputPrice;
        s.outputPrice = params.outputPrice;
        s.additionalInfo = params.additionalInfo;
        s.teeSignerAddress = params.teeSignerAddress;
        s.updatedAt = block.timestamp;
        emit ServiceUpdated(
            msg.sender,
            params.serviceType,
            params.url,
            params.inputPrice,
            params.outputPrice,
            block.timestamp,
            params.model,
            params.verifiability
        );
    }

    function removeService() external nonReentrant {
        if (!_providers.remove(msg.sender)) revert ServiceNotExist(msg.sender);
        delete _services[msg.sender];
        emit ServiceRemoved(msg.sender);
        _returnStake();
    }

    function serviceExists(address provider) external view returns (bool) {
        return _providers.contains(provider);
    }

    function getService(address provider) public view returns (Service memory service) {
        if (!_providers.contains(provider)) revert ServiceNotExist(provider);
        return _services[provider];
    }

    function getAllServices(uint256 offset, uint256 limit) external view returns (Service[] memory services, uint256 total) {
        limit = _pageLimit(limit);
        total = _providers.length();
        if (offset >= total) return (new Service[](0), total);
        uint256 end = offset + limit > total ? total : offset + limit;
        services = new Service[](end - offset);
        for (uint256 i = 0; i < services.length; i++) {
            services[i] = _services[_providers.at(offset + i)];
        }
    }

    function acknowledgeTEESignerByOwner(address provider) external onlyOwner {
        Service storage s = _existingService(provider);
        s.teeSignerAcknowledged = true;
        emit ProviderTEESignerAcknowledged(provider, s.teeSignerAddress, true);
    }

    function revokeTEESignerAcknowledgement(address provider) external onlyOwner {
        Service storage s = _existingService(provider);
        s.teeSignerAcknowledged = false;
        emit ProviderTEESignerAcknowledged(provider, s.teeSignerAddress, false);
    }

    function _existingService(address provider) private view returns (Service storage) {
        if (!_providers.contains(provider)) revert ServiceNotExist(provider);
        return _services[provider];
    }

    // --- accounts ---

    function getAccount(address user, address provider) external view returns (Account memory) {
        return _toAccount(_accounts.get(user, provider));
    }

    function getAllAccounts(uint256 offset, uint256 limit) external view returns (Account[] memory accounts, uint256 total) {
        limit = _pageLimit(limit);
        total = _accounts.count();
        if (offset >= total) return (new Account[](0), total);
        uint256 end = offset + limit > total ? total : offset + limit;
        accounts = new Account[](end - offset);
        for (uint256 i = 0; i < accounts.length; i++) {
            accounts[i] = _toAccount(_accounts.at(offset + i));
        }
    }

    function getAccountsByProvider(address provider, uint256 offset, uint256 limit)
        external
        view
        returns (Account[] memory accounts, uint256 total)
    {
        bytes32[] memory keys;
        (keys, total) = SubAccounts.page(_accounts.byProvider[provider], offset, _pageLimit(limit));
        accounts = _toAccounts(keys);
    }

    function getAccountsByUser(address user, uint256 offset, uint256 limit)
        external
        view
        returns (Account[] memory accounts, uint256 total)
    {
        bytes32[] memory keys;
        (keys, total) = SubAccounts.page(_accounts.byUser[user], offset, _pageLimit(limit));
        accounts = _toAccounts(keys);
    }

    /// @notice The accounts of `users` with the caller as provider; an empty entry where there is none.
    function getBatchAccountsByUsers(address[] calldata users) external view returns (Account[] memory accounts) {
        if (users.length > MAX_BATCH_USERS) revert BatchSizeTooLarge(users.length, MAX_BATCH_USERS);
        accounts = new Account[](users.length);
        for (uint256 i = 0; i < users.length; i++) {
            if (_accounts.exists(users[i], msg.sender)) accounts[i] = _toAccount(_accounts.get(users[i], msg.sender));
        }
    }

    function _toAccounts(bytes32[] memory keys) private view returns (Account[] memory accounts) {
        accounts = new Account[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            accounts[i] = _toAccount(_accounts.values[keys[i]]);
        }
    }

    function _toAccount(SubAccount storage a) private view returns (Account memory acc) {
        acc.user = a.user;
        acc.provider = a.provider;
        acc.nonce = a.nonce;
        acc.balance = a.balance;
        acc.pendingRefund = a.pendingRefund;
        acc.refunds = new Refund[](a.refunds.length);
        for (uint256 i = 0; i < a.refunds.length; i++) {
            acc.refunds[i] = Refund({index: i, amount: a.refunds[i].amount, createdAt: a.refunds[i].createdAt, processed: false});
        }
        acc.additionalInfo = a.additionalInfo;
        acc.acknowledged = a.acknowledged;
        acc.validRefundsLength = a.refunds.length;
        acc.generation = a.generation;
        acc.revokedBitmap = a.revokedBitmap;
    }

    // --- API key revocation (checked by the provider's broker) ---

    function revokeToken(address provider, uint8 tokenId) external {
        SubAccount storage a = _accounts.get(msg.sender, provider);
        _revoke(a, tokenId);
        emit TokenRevoked(msg.sender, provider, tokenId);
    }

    function revokeTokens(address provider, uint8[] calldata tokenIds) external {
        SubAccount storage a = _accounts.get(msg.sender, provider);
        for (uint256 i = 0; i < tokenIds.length; i++) {
            _revoke(a, tokenIds[i]);
        }
        emit TokensRevoked(msg.sender, provider, tokenIds);
    }

    function revokeAllTokens(address provider) external {
        SubAccount storage a = _accounts.get(msg.sender, provider);
        a.generation += 1;
        // A new generation invalidates every key made before, so the per-key bits start over.
        a.revokedBitmap = 0;
        emit AllTokensRevoked(msg.sender, provider, a.generation);
    }

    function isTokenRevoked(address user, address provider, uint8 tokenId) external view returns (bool) {
        return (_accounts.get(user, provider).revokedBitmap >> tokenId) & 1 == 1;
    }

    function _revoke(SubAccount storage a, uint8 tokenId) private {
        require(tokenId != EPHEMERAL_TOKEN_ID, "InferenceServing: token 255 is ephemeral; use revokeAllTokens");
        a.revokedBitmap |= uint256(1) << tokenId;
    }

    // --- settlement ---

    /// @notice Digest the TEE signer signs for a settlement (EIP-712, see the contract notice).
    function settlementDigest(TEESettlementData calldata s) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(TEE_SETTLEMENT_TYPEHASH, s.requestsHash, s.nonce, s.provider, s.user, s.totalFee))
        );
    }

    function settleFeesWithTEE(TEESettlementData[] calldata settlements)
        external
        nonReentrant
        returns (uint8[] memory statuses)
    {
        _checkBatch(settlements.length);
        statuses = new uint8[](settlements.length);
        uint256 paid = 0;
        for (uint256 i = 0; i < settlements.length; i++) {
            TEESettlementData calldata s = settlements[i];
            (uint8 status, uint256 unsettled, uint256 take) = _check(s);
            if (status == STATUS_SUCCESS || status == STATUS_PARTIAL) {
                SubAccount storage a = _accounts.get(s.user, msg.sender);
                a.nonce = s.nonce;
                if (take > 0) {
                    _charge(a, take);
                    paid += take;
                }
            }
            statuses[i] = status;
            emit TEESettlementResult(s.user, status, unsettled);
        }
        if (paid > 0) _send(payable(msg.sender), paid);
    }

    function previewSettlementResults(TEESettlementData[] calldata settlements)
        external
        view
        returns (address[] memory failedUsers, uint8[] memory failureReasons, address[] memory partialUsers, uint256[] memory partialAmounts)
    {
        _checkBatch(settlements.length);
        uint256 failed = 0;
        uint256 partials = 0;
        failedUsers = new address[](settlements.length);
        failureReasons = new uint8[](settlements.length);
        partialUsers = new address[](settlements.length);
        partialAmounts = new uint256[](settlements.length);
        for (uint256 i = 0; i < settlements.length; i++) {
            (uint8 status, uint256 unsettled,) = _check(settlements[i]);
            if (status == STATUS_PARTIAL) {
                partialUsers[partials] = settlements[i].user;
                partialAmounts[partials++] = unsettled;
            } else if (status != STATUS_SUCCESS) {
                failedUsers[failed] = settlements[i].user;
                failureReasons[failed++] = status;
            }
        }
        // Shrink the arrays to what was filled (memory arrays cannot be resized otherwise).
        assembly ("memory-safe") {
            mstore(failedUsers, failed)
            mstore(failureReasons, failed)
            mstore(partialUsers, partials)
            mstore(partialAmounts, partials)
        }
    }

    function _checkBatch(uint256 n) private pure {
        if (n == 0) revert NoSettlementsProvided();
        if (n > MAX_SETTLEMENTS) revert TooManySettlements(n, MAX_SETTLEMENTS);
    }

    /// @dev Status of one settlement from the caller (the provider), the unsettled remainder and what to take.
    function _check(TEESettlementData calldata s) private view returns (uint8 status, uint256 unsettled, uint256 take) {
        if (s.provider != msg.sender) return (STATUS_PROVIDER_MISMATCH, s.totalFee, 0);
        SubAccount storage a = _accounts.get(s.user, msg.sender);
        Service storage svc = _services[msg.sender];
        if (!a.acknowledged || !svc.teeSignerAcknowledged || svc.teeSignerAddress == address(0)) {
            return (STATUS_NO_TEE_SIGNER, s.totalFee, 0);
        }
        if (s.nonce <= a.nonce) return (STATUS_INVALID_NONCE, s.totalFee, 0);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(settlementDigest(s), s.signature);
        if (err != ECDSA.RecoverError.NoError || signer != svc.teeSignerAddress) {
            return (STATUS_INVALID_SIGNATURE, s.totalFee, 0);
        }
        if (s.totalFee > a.balance) return (STATUS_PARTIAL, s.totalFee - a.balance, a.balance);
        return (STATUS_SUCCESS, 0, s.totalFee);
    }
}
