// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ZgInitializable} from "./ZgInitializable.sol";
import {IServing, ILedger} from "./IServing.sol";
import {SubAccounts, SubAccount, RefundRecord} from "./SubAccounts.sol";

/**
 * @dev What InferenceServing and FineTuningServing share: provider stakes, the user sub-accounts the LedgerManager
 * funds, refunds with a lock time, and fee collection (sub-account → provider, recorded as spent on the ledger).
 * Errors whose signature differs between the two official ABIs are raised through virtual hooks.
 */
abstract contract ServingBase is Ownable, ZgInitializable, ReentrancyGuard, ERC165, IServing {
    using SubAccounts for SubAccounts.Map;
    using SubAccounts for SubAccount;
    using EnumerableSet for EnumerableSet.Bytes32Set;

    uint256 public constant MIN_LOCKTIME = 1 hours;
    uint256 public constant MAX_LOCKTIME = 7 days;
    uint256 public constant MIN_PROVIDER_STAKE = 100 ether;
    uint256 internal constant MAX_PAGE = 50;
    uint256 internal constant MAX_BATCH_USERS = 500;
    uint256 internal constant MAX_ADDITIONAL_INFO_LENGTH = 4096;

    uint256 internal _lockTime;
    address internal _ledger;
    SubAccounts.Map internal _accounts;
    mapping(address => uint256) internal _stakes;

    event BalanceUpdated(address indexed user, address indexed provider, uint256 amount, uint256 pendingRefund);
    event RefundRequested(address indexed user, address indexed provider, uint256 indexed index, uint256 timestamp);
    event ProviderStaked(address indexed provider, uint256 amount);
    event ProviderStakeReturned(address indexed provider, uint256 amount);
    event ProviderTEESignerAcknowledged(address indexed provider, address indexed teeSignerAddress, bool acknowledged);
    event AccountDeleted(address indexed user, address indexed provider, uint256 refundedAmount);
    event LockTimeUpdated(uint256 oldLockTime, uint256 newLockTime);

    error DirectDepositsDisabled();
    error InsufficientStake(uint256 provided, uint256 required);
    error CannotAddStakeWhenUpdating();
    error CannotRevokeWithNonZeroBalance(address user, address provider, uint256 balance);
    error AdditionalInfoTooLong();
    error ServiceNotExist(address provider);

    constructor() Ownable(msg.sender) {}

    // --- hooks for errors whose shape differs between the inference and fine-tuning ABIs ---
    function _revertNotLedger() internal view virtual;
    function _revertLockTime(uint256 lockTime_) internal pure virtual;
    function _revertLimit(uint256 limit) internal pure virtual;
    function _revertTransferFailed() internal pure virtual;
    /// @dev Whether funding a new sub-account also acknowledges the provider's TEE signer (inference: yes).
    function _autoAcknowledge() internal pure virtual returns (bool);

    function _initServing(uint256 lockTime_, address ledger_, address owner_) internal {
        _checkLockTime(lockTime_);
        _transferOwnership(owner_);
        _lockTime = lockTime_;
        _ledger = ledger_;
    }

    modifier onlyLedger() {
        if (msg.sender != _ledger) _revertNotLedger();
        _;
    }

    function _checkLockTime(uint256 lockTime_) internal pure {
        if (lockTime_ < MIN_LOCKTIME || lockTime_ > MAX_LOCKTIME) _revertLockTime(lockTime_);
    }

    function _pageLimit(uint256 limit) internal pure returns (uint256) {
        if (limit > MAX_PAGE) _revertLimit(limit);
        return limit == 0 ? MAX_PAGE : limit;
    }

    // --- views ---

    function lockTime() external view returns (uint256) {
        return _lockTime;
    }

    function ledgerAddress() external view returns (address) {
        return _ledger;
    }

    function accountExists(address user, address provider) external view returns (bool) {
        return _accounts.exists(user, provider);
    }

    function getPendingRefund(address user, address provider) external view returns (uint256) {
        return _accounts.get(user, provider).pendingRefund;
    }

    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IServing).interfaceId || super.supportsInterface(interfaceId);
    }

    // --- owner ---

    function updateLockTime(uint256 _locktime) external onlyOwner {
        _checkLockTime(_locktime);
        emit LockTimeUpdated(_lockTime, _locktime);
        _lockTime = _locktime;
    }

    // --- user ---

    /// @notice The user trusts (or stops trusting) the provider's TEE signer; settlement needs it. Revoking is only
    /// allowed once the sub-account is empty, so a provider cannot be cut off from fees it already earned.
    function acknowledgeTEESigner(address provider, bool acknowledged) external {
        SubAccount storage a = _accounts.get(msg.sender, provider);
        if (a.acknowledged && !acknowledged && a.balance != 0) {
            revert CannotRevokeWithNonZeroBalance(msg.sender, provider, a.balance);
        }
        a.acknowledged = acknowledged;
    }

    // --- ledger-only: sub-account funding and refunds ---

    function addAccount(address user, address provider, string memory additionalInfo) external payable onlyLedger {
        SubAccount storage a = _accounts.create(user, provider, msg.value, additionalInfo);
        if (_autoAcknowledge()) a.acknowledged = true;
        emit BalanceUpdated(user, provider, a.balance, a.pendingRefund);
    }

    function depositFund(address user, address provider, uint256 cancelRetrievingAmount) external payable onlyLedger {
        SubAccount storage a = _accounts.get(user, provider);
        a.deposit(cancelRetrievingAmount, msg.value);
        if (_autoAcknowledge() && !a.acknowledged) a.acknowledged = true;
        emit BalanceUpdated(user, provider, a.balance, a.pendingRefund);
    }

    function requestRefundAll(address user, address provider) external onlyLedger {
        (bool created, uint256 index) = _accounts.get(user, provider).requestRefundAll();
        if (created) emit RefundRequested(user, provider, index, block.timestamp);
    }

    function processRefund(address user, address provider)
        external
        onlyLedger
        nonReentrant
        returns (uint256 totalAmount, uint256 balance, uint256 pendingRefund)
    {
        SubAccount storage a = _accounts.get(user, provider);
        totalAmount = a.processRefund(_lockTime);
        balance = a.balance;
        pendingRefund = a.pendingRefund;
        if (totalAmount > 0) {
            emit BalanceUpdated(user, provider, balance, pendingRefund);
            _send(payable(msg.sender), totalAmount);
        }
    }

    function deleteAccount(address user, address provider) external onlyLedger {
        if (!_accounts.exists(user, provider)) return;
        uint256 left = _accounts.remove(user, provider);
        // Unreachable in normal operation (the ledger deletes only when the user's total balance is zero); if it
        // happens, hand the remainder back to the user's ledger rather than strand it here.
        if (left > 0) ILedger(_ledger).depositFundFor{value: left}(user);
        emit AccountDeleted(user, provider, left);
    }

    // --- provider stake ---

    /// @dev First registration must stake MIN_PROVIDER_STAKE; updates must not send value.
    function _takeStake(bool registered) internal {
        if (registered) {
            if (msg.value != 0) revert CannotAddStakeWhenUpdating();
            return;
        }
        if (msg.value < MIN_PROVIDER_STAKE) revert InsufficientStake(msg.value, MIN_PROVIDER_STAKE);
        _stakes[msg.sender] = msg.value;
        emit ProviderStaked(msg.sender, msg.value);
    }

    function _returnStake() internal {
        uint256 stake = _stakes[msg.sender];
        if (stake == 0) return;
        _stakes[msg.sender] = 0;
        emit ProviderStakeReturned(msg.sender, stake);
        _send(payable(msg.sender), stake);
    }

    // --- fees ---

    /// @dev Moves `fee` from the sub-account to the ledger's "spent" and returns it for payment to the provider.
    function _charge(SubAccount storage a, uint256 fee) internal {
        a.charge(fee);
        ILedger(_ledger).spendFund(a.user, fee);
        emit BalanceUpdated(a.user, a.provider, a.balance, a.pendingRefund);
    }

    function _send(address payable to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) _revertTransferFailed();
    }

    // --- shared view helpers ---

    function _checkAdditionalInfo(string memory info) internal pure {
        if (bytes(info).length > MAX_ADDITIONAL_INFO_LENGTH) revert AdditionalInfoTooLong();
    }

    receive() external payable {
        revert DirectDepositsDisabled();
    }
}
