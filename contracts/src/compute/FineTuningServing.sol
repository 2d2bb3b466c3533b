// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ServingBase} from "./ServingBase.sol";
import {SubAccounts, SubAccount} from "./SubAccounts.sol";

struct Quota {
    uint256 cpuCount;
    uint256 nodeMemory;
    uint256 gpuCount;
    uint256 nodeStorage;
    string gpuType;
}

struct Service {
    address provider;
    string url;
    Quota quota;
    uint256 pricePerToken;
    bool occupied;
    string[] models;
    address teeSignerAddress;
    bool teeSignerAcknowledged;
}

struct Refund {
    uint256 index;
    uint256 amount;
    uint256 createdAt;
    bool _deprecated_processed;
}

struct Deliverable {
    string id;
    bytes modelRootHash;
    bytes encryptedSecret;
    bool acknowledged;
    uint248 timestamp;
    bool settled;
}

struct AccountDetails {
    address user;
    address provider;
    uint256 nonce;
    uint256 balance;
    uint256 pendingRefund;
    Refund[] refunds;
    string additionalInfo;
    Deliverable[] deliverables;
    uint256 validRefundsLength;
    uint256 deliverablesHead;
    uint256 deliverablesCount;
    bool acknowledged;
}

struct AccountSummary {
    address user;
    address provider;
    uint256 nonce;
    uint256 balance;
    uint256 pendingRefund;
    string additionalInfo;
    uint256 validRefundsLength;
    uint256 deliverablesCount;
    bool acknowledged;
}

struct VerifierInput {
    string id;
    bytes encryptedSecret;
    bytes modelRootHash;
    uint256 nonce;
    bytes signature;
    uint256 taskFee;
    address user;
}

/**
 * @title FineTuningServing (service "fine-tuning-v1.1") for the zg devnet.
 * @notice ABI of 0G's FineTuningServing as bundled in @0gfoundation/0g-compute-ts-sdk 0.9.0.
 * Task lifecycle on chain: the provider `addDeliverable(user, taskId, modelRootHash)`; the user checks the model
 * and `acknowledgeDeliverable(provider, taskId)`; the provider `settleFees` with a signature of its TEE signer:
 *   EIP-712 domain {name: "0G Fine-Tuning Serving", version: "1", chainId, verifyingContract: this proxy},
 *   VerifierMessage(string id,bytes encryptedSecret,bytes modelRootHash,uint256 nonce,uint256 taskFee,address user)
 *   (string and bytes members hashed with keccak256, per EIP-712).
 * Acknowledged: encryptedSecret (the model key sealed to the user) must be non-empty, is stored, and the full fee
 * is paid. Not acknowledged: encryptedSecret must be empty and only taskFee × penaltyPercentage / 100 is paid.
 * Up to 20 deliverables per account in a ring buffer; the oldest is evicted only once settled.
 * Devnet difference: a new deliverable is refused while the previous one is unacknowledged AND unsettled. 0G's
 * contract refuses it while the previous one is unacknowledged, which leaves an account settled on the penalty
 * path stuck for good (the user can no longer acknowledge a settled deliverable).
 */
contract FineTuningServing is ServingBase, EIP712 {
    using SubAccounts for SubAccounts.Map;
    using SubAccounts for SubAccount;
    using EnumerableSet for EnumerableSet.AddressSet;

    uint256 public constant MAX_DELIVERABLES_PER_ACCOUNT = 20;
    uint256 public constant MAX_DELIVERABLE_ID_LENGTH = 256;

    bytes32 public constant VERIFIER_MESSAGE_TYPEHASH = keccak256(
        "VerifierMessage(string id,bytes encryptedSecret,bytes modelRootHash,uint256 nonce,uint256 taskFee,address user)"
    );

    struct DeliverableRing {
        mapping(uint256 => Deliverable) slots;
        /// @dev keccak256(id) → slot + 1 (0 = absent)
        mapping(bytes32 => uint256) slotOf;
        uint256 head;
        uint256 count;
    }

    uint256 private _penaltyPct;
    EnumerableSet.AddressSet private _providers;
    mapping(address => Service) private _services;
    mapping(bytes32 => DeliverableRing) private _deliverables;

    event ServiceUpdated(
        address indexed provider, string url, Quota quota, uint256 pricePerToken, address teeSignerAddress, bool occupied
    );
    event ServiceRemoved(address indexed provider);
    event DeliverableAdded(
        address indexed user, address indexed provider, string deliverableId, bytes modelRootHash, uint256 timestamp
    );
    event DeliverableAcknowledged(address indexed user, address indexed provider, string deliverableId, uint256 timestamp);
    event DeliverableEvicted(
        address indexed provider, address indexed user, string evictedDeliverableId, string newDeliverableId, uint256 timestamp
    );
    event FeesSettled(
        address indexed user, address indexed provider, string deliverableId, uint256 fee, bool acknowledged, uint256 nonce
    );

    error CallerNotLedger();
    error LockTimeOutOfRange(uint256 lockTime);
    error LimitTooLarge(uint256 limit);
    error BatchSizeTooLarge(uint256 size, uint256 maxSize);
    error ETHTransferFailed();
    error InvalidLedgerAddress();
    error PenaltyPercentageTooHigh(uint256 percentage);
    error InvalidVerifierInput(string reason);
    error DeliverableIdInvalidLength(uint256 length);
    error DeliverableAlreadyExists(string id);
    error DeliverableNotExists(string id);
    error DeliverableAlreadySettled(string id);
    error PreviousDeliverableNotAcknowledged(string id);
    error CannotAcknowledgeSettledDeliverable(string id);
    error CannotEvictUnsettledDeliverable(string id);
    error SecretShouldBeEmpty();
    error SecretShouldNotBeEmpty();
    error TransferToLedgerFailed();

    constructor() EIP712("0G Fine-Tuning Serving", "1") {}

    function initialize(uint256 _locktime, address _ledgerAddress, address owner, uint256 _penaltyPercentage)
        external
        onlyInitializeOnce
    {
        if (_ledgerAddress == address(0) || _ledgerAddress.code.length == 0) revert InvalidLedgerAddress();
        if (_penaltyPercentage > 100) revert PenaltyPercentageTooHigh(_penaltyPercentage);
        _initServing(_locktime, _ledgerAddress, owner);
        _penaltyPct = _penaltyPercentage;
    }

    function _revertNotLedger() internal pure override {
        revert CallerNotLedger();
    }

    function _revertLockTime(uint256 lockTime_) internal pure override {
        revert LockTimeOutOfRange(lockTime_);
    }

    function _revertLimit(uint256 limit) internal pure override {
        revert LimitTooLarge(limit);
    }

    function _revertTransferFailed() internal pure override {
        revert ETHTransferFailed();
    }

    function _autoAcknowledge() internal pure override returns (bool) {
        return false;
    }

    function penaltyPercentage() external view returns (uint256) {
        return _penaltyPct;
    }

    function updatePenaltyPercentage(uint256 _penaltyPercentage) external onlyOwner {
        if (_penaltyPercentage > 100) revert PenaltyPercentageTooHigh(_penaltyPercentage);
        _penaltyPct = _penaltyPercentage;
    }

    // --- services ---

    function addOrUpdateService(
        string calldata url,
        Quota calldata quota,
        uint256 pricePerToken,
        bool occupied,
        string[] calldata models,
        address teeSignerAddress
    ) external payable {
        bool registered = _providers.contains(msg.sender);
        _takeStake(registered);
        Service storage s = _services[msg.sender];
        if (!registered || s.teeSignerAddress != teeSignerAddress) s.teeSignerAcknowledged = false;
        _providers.add(msg.sender);
        s.provider = msg.sender;
        s.url = url;
        s.quota = quota;
        s.pricePerToken = pricePerToken;
        s.occupied = occupied;
        s.models = models;
        s.teeSignerAddress = teeSignerAddress;
        emit ServiceUpdated(msg.sender, url, quota, pricePerToken, teeSignerAddress, occupied);
    }

    function removeService() external nonReentrant {
        if (!_providers.remove(msg.sender)) revert ServiceNotExist(msg.sender);
        delete _services[msg.sender];
        emit ServiceRemoved(msg.sender);
        _returnStake();
    }

    function getService(address provider) external view returns (Service memory service) {
        if (!_providers.contains(provider)) revert ServiceNotExist(provider);
        return _services[provider];
    }

    function getAllServices() external view returns (Service[] memory services) {
        services = new Service[](_providers.length());
        for (uint256 i = 0; i < services.length; i++) {
            services[i] = _services[_providers.at(i)];
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

    function getAccount(address user, address provider) external view returns (AccountDetails memory) {
        AccountDetails memory d;
        SubAccount storage a = _accounts.get(user, provider);
        DeliverableRing storage ring = _deliverables[SubAccounts.key(user, provider)];
        d.user = a.user;
        d.provider = a.provider;
        d.nonce = a.nonce;
        d.balance = a.balance;
        d.pendingRefund = a.pendingRefund;
        d.refunds = new Refund[](a.refunds.length);
        for (uint256 i = 0; i < a.refunds.length; i++) {
            d.refunds[i] = Refund(i, a.refunds[i].amount, a.refunds[i].createdAt, false);
        }
        d.additionalInfo = a.additionalInfo;
        d.deliverables = _orderedDeliverables(ring);
        d.validRefundsLength = a.refunds.length;
        d.deliverablesHead = ring.head;
        d.deliverablesCount = ring.count;
        d.acknowledged = a.acknowledged;
        return d;
    }

    function getAllAccounts(uint256 offset, uint256 limit)
        external
        view
        returns (AccountSummary[] memory accounts, uint256 total)
    {
        limit = _pageLimit(limit);
        total = _accounts.count();
        if (offset >= total) return (new AccountSummary[](0), total);
        uint256 end = offset + limit > total ? total : offset + limit;
        accounts = new AccountSummary[](end - offset);
        for (uint256 i = 0; i < accounts.length; i++) {
            accounts[i] = _summary(_accounts.at(offset + i));
        }
    }

    function getAccountsByProvider(address provider, uint256 offset, uint256 limit)
        external
        view
        returns (AccountSummary[] memory accounts, uint256 total)
    {
        bytes32[] memory keys;
        (keys, total) = SubAccounts.page(_accounts.byProvider[provider], offset, _pageLimit(limit));
        accounts = _summaries(keys);
    }

    function getAccountsByUser(address user, uint256 offset, uint256 limit)
        external
        view
        returns (AccountSummary[] memory accounts, uint256 total)
    {
        bytes32[] memory keys;
        (keys, total) = SubAccounts.page(_accounts.byUser[user], offset, _pageLimit(limit));
        accounts = _summaries(keys);
    }

    function getBatchAccountsByUsers(address[] calldata users) external view returns (AccountSummary[] memory accounts) {
        if (users.length > MAX_BATCH_USERS) revert BatchSizeTooLarge(users.length, MAX_BATCH_USERS);
        accounts = new AccountSummary[](users.length);
        for (uint256 i = 0; i < users.length; i++) {
            if (_accounts.exists(users[i], msg.sender)) accounts[i] = _summary(_accounts.get(users[i], msg.sender));
        }
    }

    function _summaries(bytes32[] memory keys) private view returns (AccountSummary[] memory accounts) {
        accounts = new AccountSummary[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            accounts[i] = _summary(_accounts.values[keys[i]]);
        }
    }

    function _summary(SubAccount storage a) private view returns (AccountSummary memory) {
        return AccountSummary({
            user: a.user,
            provider: a.provider,
            nonce: a.nonce,
            balance: a.balance,
            pendingRefund: a.pendingRefund,
            additionalInfo: a.additionalInfo,
            validRefundsLength: a.refunds.length,
            deliverablesCount: _deliverables[SubAccounts.key(a.user, a.provider)].count,
            acknowledged: a.acknowledged
        });
    }

    // --- deliverables ---

    function addDeliverable(address user, string calldata id, bytes calldata modelRootHash) external {
        SubAccount storage a = _accounts.get(user, msg.sender);
        uint256 idLength = bytes(id).length;
        if (idLength == 0 || idLength > MAX_DELIVERABLE_ID_LENGTH) revert DeliverableIdInvalidLength(idLength);
        DeliverableRing storage ring = _deliverables[SubAccounts.key(a.user, msg.sender)];
        bytes32 idHash = keccak256(bytes(id));
        if (ring.slotOf[idHash] != 0) revert DeliverableAlreadyExists(id);
        if (ring.count > 0) {
            Deliverable storage last = ring.slots[(ring.head + ring.count - 1) % MAX_DELIVERABLES_PER_ACCOUNT];
            if (!last.acknowledged && !last.settled) revert PreviousDeliverableNotAcknowledged(last.id);
        }
        uint256 slot;
        if (ring.count == MAX_DELIVERABLES_PER_ACCOUNT) {
            slot = ring.head;
            Deliverable storage oldest = ring.slots[slot];
            if (!oldest.settled) revert CannotEvictUnsettledDeliverable(oldest.id);
            emit DeliverableEvicted(msg.sender, user, oldest.id, id, block.timestamp);
            delete ring.slotOf[keccak256(bytes(oldest.id))];
            ring.head = (ring.head + 1) % MAX_DELIVERABLES_PER_ACCOUNT;
        } else {
            slot = (ring.head + ring.count) % MAX_DELIVERABLES_PER_ACCOUNT;
            ring.count += 1;
        }
        ring.slots[slot] = Deliverable({
            id: id,
            modelRootHash: modelRootHash,
            encryptedSecret: "",
            acknowledged: false,
            timestamp: uint248(block.timestamp),
            settled: false
        });
        ring.slotOf[idHash] = slot + 1;
        emit DeliverableAdded(user, msg.sender, id, modelRootHash, block.timestamp);
    }

    function acknowledgeDeliverable(address provider, string calldata id) external {
        _accounts.get(msg.sender, provider);
        Deliverable storage d = _deliverable(msg.sender, provider, id);
        if (d.settled) revert CannotAcknowledgeSettledDeliverable(id);
        d.acknowledged = true;
        emit DeliverableAcknowledged(msg.sender, provider, id, block.timestamp);
    }

    function getDeliverable(address user, address provider, string calldata id) external view returns (Deliverable memory) {
        return _deliverable(user, provider, id);
    }

    function getDeliverables(address user, address provider) external view returns (Deliverable[] memory) {
        return _orderedDeliverables(_deliverables[SubAccounts.key(user, provider)]);
    }

    function _deliverable(address user, address provider, string calldata id) private view returns (Deliverable storage) {
        DeliverableRing storage ring = _deliverables[SubAccounts.key(user, provider)];
        uint256 slot = ring.slotOf[keccak256(bytes(id))];
        if (slot == 0) revert DeliverableNotExists(id);
        return ring.slots[slot - 1];
    }

    function _orderedDeliverables(DeliverableRing storage ring) private view returns (Deliverable[] memory list) {
        list = new Deliverable[](ring.count);
        for (uint256 i = 0; i < ring.count; i++) {
            list[i] = ring.slots[(ring.head + i) % MAX_DELIVERABLES_PER_ACCOUNT];
        }
    }

    // --- settlement ---

    /// @notice Digest the provider's TEE signer signs for `settleFees` (EIP-712, see the contract notice).
    function verifierDigest(VerifierInput calldata v) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    VERIFIER_MESSAGE_TYPEHASH,
                    keccak256(bytes(v.id)),
                    keccak256(v.encryptedSecret),
                    keccak256(v.modelRootHash),
                    v.nonce,
                    v.taskFee,
                    v.user
                )
            )
        );
    }

    function settleFees(VerifierInput calldata verifierInput) external nonReentrant {
        SubAccount storage a = _accounts.get(verifierInput.user, msg.sender);
        Service storage svc = _existingService(msg.sender);
        if (!a.acknowledged || !svc.teeSignerAcknowledged || svc.teeSignerAddress == address(0)) {
            revert InvalidVerifierInput("TEE signer not acknowledged");
        }
        if (verifierInput.nonce <= a.nonce) revert InvalidVerifierInput("nonce should be larger than the current nonce");
        Deliverable storage d = _deliverable(verifierInput.user, msg.sender, verifierInput.id);
        if (d.settled) revert DeliverableAlreadySettled(verifierInput.id);
        if (keccak256(d.modelRootHash) != keccak256(verifierInput.modelRootHash)) {
            revert InvalidVerifierInput("model root hash mismatch");
        }
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(verifierDigest(verifierInput), verifierInput.signature);
        if (err != ECDSA.RecoverError.NoError || signer != svc.teeSignerAddress) {
            revert InvalidVerifierInput("TEE settlement validation failed");
        }

        uint256 fee = verifierInput.taskFee;
        if (d.acknowledged) {
            if (verifierInput.encryptedSecret.length == 0) revert SecretShouldNotBeEmpty();
            d.encryptedSecret = verifierInput.encryptedSecret;
        } else {
            if (verifierInput.encryptedSecret.length != 0) revert SecretShouldBeEmpty();
            fee = (fee * _penaltyPct) / 100;
        }
        if (fee > a.balance) revert InvalidVerifierInput("insufficient balance");

        a.nonce = verifierInput.nonce;
        d.settled = true;
        if (fee > 0) _charge(a, fee);
        emit FeesSettled(verifierInput.user, msg.sender, verifierInput.id, fee, d.acknowledged, verifierInput.nonce);
        if (fee > 0) _send(payable(msg.sender), fee);
    }
}
