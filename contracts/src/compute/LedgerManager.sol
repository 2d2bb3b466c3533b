// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {ZgInitializable} from "./ZgInitializable.sol";
import {IServing} from "./IServing.sol";

struct Ledger {
    address user;
    uint256 availableBalance;
    uint256 totalBalance;
    string additionalInfo;
}

struct ServiceInfo {
    address serviceAddress;
    address serviceContract;
    string serviceType;
    string version;
    string fullName;
    string description;
    bool isRecommended;
    uint256 registeredAt;
}

/**
 * @title LedgerManager: a user's main compute account on the zg devnet.
 * @notice ABI of 0G's LedgerManager as bundled in @0gfoundation/0g-compute-ts-sdk 0.9.0. A ledger needs 3 0G to
 * open; `transferFund` moves money into a sub-account with a provider on a registered serving contract (1 0G
 * minimum for a new one) and cancels pending refunds first; `retrieveFund` collects refunds whose lock expired and
 * requests the rest back; `refund` pays out to the wallet (keeping 3 0G or everything). `totalBalance` counts what
 * sits in sub-accounts too; `availableBalance` is what the ledger itself holds. Serving contracts are registered by
 * the owner under "<type>-<version>" names (e.g. "inference-v1.0"), which the SDK resolves via getServiceInfo.
 */
contract LedgerManager is Ownable, ZgInitializable, ReentrancyGuard {
    using EnumerableSet for EnumerableSet.AddressSet;
    using ERC165Checker for address;

    uint256 public constant MAX_PROVIDERS_PER_BATCH = 20;
    uint256 public constant MAX_SERVICES = 500;
    uint256 public constant MAX_PROVIDERS_PER_USER_PER_SERVICE = 50;
    uint256 public constant MAX_ADDITIONAL_INFO_LENGTH = 4096;
    uint256 public constant MIN_ACCOUNT_BALANCE = 3 ether;
    uint256 public constant MIN_TRANSFER_AMOUNT = 1 ether;

    EnumerableSet.AddressSet private _users;
    mapping(address => Ledger) private _ledgers;
    mapping(address => bool) private _locked;

    EnumerableSet.AddressSet private _serviceAddresses;
    mapping(address => ServiceInfo) private _services;
    mapping(string => address) private _serviceByName;
    mapping(bytes32 => address) private _recommendedByType;
    /// @dev user → serving contract → providers with a sub-account there
    mapping(address => mapping(address => EnumerableSet.AddressSet)) private _providersOf;

    event ServiceRegistered(address indexed serviceAddress, string serviceName);
    event RecommendedServiceUpdated(string serviceType, string version, address serviceAddress);
    event LedgerInfoUpdated(address indexed user, string additionalInfo);
    event FundSpent(address indexed user, address indexed service, uint256 amount);

    error LedgerNotExists(address user);
    error LedgerExists(address user);
    error InsufficientBalance(address user);
    error TooManyProviders(uint256 requested, uint256 maximum);
    error TooManyProvidersForService(uint256 current, uint256 maximum);
    error InvalidServiceType(string serviceType);
    error ServiceNotRegistered(address serviceAddress);
    error ServiceNameExists(string serviceName);
    error InvalidServiceAddress(address serviceAddress);
    error LedgerLocked();
    error CallerNotRegisteredService(address caller);
    error ServiceNotFound(address serviceAddress);
    error MinimumDepositRequired(uint256 provided, uint256 required);
    error AdditionalInfoTooLong(uint256 length, uint256 max);
    error ZeroAmountNotAllowed();
    error ZeroAddressNotAllowed();
    error InsufficientAvailableBalance(uint256 available, uint256 required);
    error TransferFailed();
    error CallFailed();
    error MustWithdrawAllFundsFirst(uint256 remainingBalance);
    error ServiceTypeRequired();
    error VersionRequired();
    error ServiceAlreadyRegistered(address serviceAddress);
    error ServiceMustImplementIServing(address serviceAddress);
    error ServiceRegistryLimitReached(uint256 limit);
    error NoRecommendedService(string serviceType);
    error DirectDepositsDisabled();

    constructor() Ownable(msg.sender) {}

    function initialize(address owner) external onlyInitializeOnce {
        if (owner == address(0)) revert ZeroAddressNotAllowed();
        _transferOwnership(owner);
    }

    /// @dev One operation per user at a time: serving contracts call back into the ledger mid-operation.
    modifier withLedgerLock(address user) {
        if (_locked[user]) revert LedgerLocked();
        _locked[user] = true;
        _;
        _locked[user] = false;
    }

    modifier onlyServing() {
        if (_services[msg.sender].serviceAddress == address(0)) revert CallerNotRegisteredService(msg.sender);
        _;
    }

    // --- ledgers ---

    function getLedger(address user) external view returns (Ledger memory) {
        return _get(user);
    }

    function getAllLedgers(uint256 offset, uint256 limit) external view returns (Ledger[] memory ledgers, uint256 total) {
        total = _users.length();
        if (offset >= total) return (new Ledger[](0), total);
        uint256 n = limit == 0 ? 50 : limit;
        uint256 end = offset + n > total ? total : offset + n;
        ledgers = new Ledger[](end - offset);
        for (uint256 i = 0; i < ledgers.length; i++) {
            ledgers[i] = _ledgers[_users.at(offset + i)];
        }
    }

    function getLedgerProviders(address user, string calldata serviceName) external view returns (address[] memory) {
        return _providersOf[user][_serviceNamed(serviceName)].values();
    }

    function addLedger(string calldata additionalInfo) external payable withLedgerLock(msg.sender) returns (uint256, uint256) {
        if (msg.value < MIN_ACCOUNT_BALANCE) revert MinimumDepositRequired(msg.value, MIN_ACCOUNT_BALANCE);
        _checkInfo(additionalInfo);
        if (_users.contains(msg.sender)) revert LedgerExists(msg.sender);
        _open(msg.sender, msg.value, additionalInfo);
        return (msg.value, 0);
    }

    function updateAdditionalInfo(string calldata additionalInfo) external withLedgerLock(msg.sender) {
        _checkInfo(additionalInfo);
        _get(msg.sender).additionalInfo = additionalInfo;
        emit LedgerInfoUpdated(msg.sender, additionalInfo);
    }

    /// @notice Tops up the caller's ledger, opening it (3 0G minimum) if there is none.
    function depositFund() external payable withLedgerLock(msg.sender) {
        _deposit(msg.sender, msg.value);
    }

    function depositFundFor(address recipient) external payable withLedgerLock(recipient) {
        if (recipient == address(0)) revert ZeroAddressNotAllowed();
        _deposit(recipient, msg.value);
    }

    function refund(uint256 amount) external nonReentrant withLedgerLock(msg.sender) {
        Ledger storage l = _get(msg.sender);
        if (l.availableBalance < amount) revert InsufficientBalance(msg.sender);
        uint256 remaining = l.availableBalance - amount;
        if (remaining != 0 && remaining < MIN_ACCOUNT_BALANCE) revert MinimumDepositRequired(remaining, MIN_ACCOUNT_BALANCE);
        l.availableBalance -= amount;
        l.totalBalance -= amount;
        if (l.totalBalance == 0) _close(msg.sender);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Moves `amount` from the ledger to the sub-account with `provider` on the service `serviceName`.
    function transferFund(address provider, string calldata serviceName, uint256 amount)
        external
        withLedgerLock(msg.sender)
    {
        Ledger storage l = _get(msg.sender);
        address service = _serviceNamed(serviceName);
        IServing serving = IServing(service);
        uint256 fromLedger = amount;
        bytes memory call;
        if (serving.accountExists(msg.sender, provider)) {
            // Money still in the sub-account as pending refunds is reused first.
            uint256 pending = serving.getPendingRefund(msg.sender, provider);
            uint256 cancel = amount < pending ? amount : pending;
            fromLedger = amount - cancel;
            call = abi.encodeCall(IServing.depositFund, (msg.sender, provider, cancel));
        } else {
            if (amount < MIN_TRANSFER_AMOUNT) revert MinimumDepositRequired(amount, MIN_TRANSFER_AMOUNT);
            EnumerableSet.AddressSet storage providers = _providersOf[msg.sender][service];
            if (providers.length() >= MAX_PROVIDERS_PER_USER_PER_SERVICE) {
                revert TooManyProvidersForService(providers.length(), MAX_PROVIDERS_PER_USER_PER_SERVICE);
            }
            providers.add(provider);
            call = abi.encodeCall(IServing.addAccount, (msg.sender, provider, l.additionalInfo));
        }
        if (l.availableBalance < fromLedger) revert InsufficientAvailableBalance(l.availableBalance, fromLedger);
        l.availableBalance -= fromLedger;
        (bool ok, bytes memory ret) = service.call{value: fromLedger}(call);
        if (!ok) _bubble(ret);
    }

    /// @notice For each provider: collects refunds whose lock time passed, then requests back what is left.
    function retrieveFund(address[] calldata providers, string calldata serviceName) external withLedgerLock(msg.sender) {
        if (providers.length > MAX_PROVIDERS_PER_BATCH) revert TooManyProviders(providers.length, MAX_PROVIDERS_PER_BATCH);
        IServing serving = IServing(_serviceNamed(serviceName));
        Ledger storage l = _get(msg.sender);
        uint256 total = 0;
        for (uint256 i = 0; i < providers.length; i++) {
            if (!serving.accountExists(msg.sender, providers[i])) continue;
            (uint256 amount,,) = serving.processRefund(msg.sender, providers[i]);
            total += amount;
            serving.requestRefundAll(msg.sender, providers[i]);
        }
        l.availableBalance += total;
    }

    function deleteLedger() external nonReentrant withLedgerLock(msg.sender) {
        Ledger storage l = _get(msg.sender);
        if (l.totalBalance != 0) revert MustWithdrawAllFundsFirst(l.totalBalance);
        _close(msg.sender);
    }

    /// @notice Called by a serving contract when a provider settles: the fee leaves the user's total balance.
    function spendFund(address user, uint256 amount) external onlyServing withLedgerLock(user) {
        Ledger storage l = _get(user);
        uint256 inSubAccounts = l.totalBalance - l.availableBalance;
        if (inSubAccounts < amount) revert InsufficientAvailableBalance(inSubAccounts, amount);
        l.totalBalance -= amount;
        emit FundSpent(user, msg.sender, amount);
    }

    // --- service registry ---

    function registerService(
        string calldata serviceType,
        string calldata version,
        address serviceAddress,
        string calldata description
    ) external onlyOwner {
        if (serviceAddress == address(0)) revert InvalidServiceAddress(serviceAddress);
        if (bytes(serviceType).length == 0) revert ServiceTypeRequired();
        if (bytes(version).length == 0) revert VersionRequired();
        if (_services[serviceAddress].serviceAddress != address(0)) revert ServiceAlreadyRegistered(serviceAddress);
        string memory fullName = string.concat(serviceType, "-", version);
        if (_serviceByName[fullName] != address(0)) revert ServiceNameExists(fullName);
        if (!serviceAddress.supportsInterface(type(IServing).interfaceId)) revert ServiceMustImplementIServing(serviceAddress);
        if (_serviceAddresses.length() >= MAX_SERVICES) revert ServiceRegistryLimitReached(MAX_SERVICES);
        _services[serviceAddress] = ServiceInfo({
            serviceAddress: serviceAddress,
            serviceContract: serviceAddress,
            serviceType: serviceType,
            version: version,
            fullName: fullName,
            description: description,
            isRecommended: false,
            registeredAt: block.timestamp
        });
        _serviceByName[fullName] = serviceAddress;
        _serviceAddresses.add(serviceAddress);
        emit ServiceRegistered(serviceAddress, fullName);
    }

    function setRecommendedService(string calldata serviceType, string calldata version) external onlyOwner {
        address service = _serviceByName[string.concat(serviceType, "-", version)];
        if (service == address(0)) revert ServiceNotFound(service);
        bytes32 typeKey = keccak256(bytes(serviceType));
        address previous = _recommendedByType[typeKey];
        if (previous != address(0) && previous != service) _services[previous].isRecommended = false;
        _recommendedByType[typeKey] = service;
        _services[service].isRecommended = true;
        emit RecommendedServiceUpdated(serviceType, version, service);
    }

    function getServiceInfo(address serviceAddress) external view returns (ServiceInfo memory) {
        return _services[serviceAddress];
    }

    function getServiceAddressByName(string calldata serviceName) external view returns (address) {
        return _serviceByName[serviceName];
    }

    function getAllActiveServices() external view returns (ServiceInfo[] memory) {
        ServiceInfo[] memory services = new ServiceInfo[](_serviceAddresses.length());
        for (uint256 i = 0; i < services.length; i++) {
            services[i] = _services[_serviceAddresses.at(i)];
        }
        return services;
    }

    function getRecommendedService(string calldata serviceType)
        external
        view
        returns (string memory version, address serviceAddress)
    {
        serviceAddress = _recommendedByType[keccak256(bytes(serviceType))];
        if (serviceAddress == address(0)) revert NoRecommendedService(serviceType);
        version = _services[serviceAddress].version;
    }

    function getAllVersions(string calldata serviceType)
        external
        view
        returns (string[] memory versions, address[] memory addresses, bool[] memory isRecommendedFlags)
    {
        bytes32 wanted = keccak256(bytes(serviceType));
        uint256 n = _serviceAddresses.length();
        uint256 matches = 0;
        for (uint256 i = 0; i < n; i++) {
            if (keccak256(bytes(_services[_serviceAddresses.at(i)].serviceType)) == wanted) matches++;
        }
        versions = new string[](matches);
        addresses = new address[](matches);
        isRecommendedFlags = new bool[](matches);
        uint256 k = 0;
        for (uint256 i = 0; i < n; i++) {
            ServiceInfo storage s = _services[_serviceAddresses.at(i)];
            if (keccak256(bytes(s.serviceType)) != wanted) continue;
            versions[k] = s.version;
            addresses[k] = s.serviceAddress;
            isRecommendedFlags[k] = s.isRecommended;
            k++;
        }
    }

    function isRecommendedVersion(string calldata serviceType, string calldata version) external view returns (bool) {
        address service = _serviceByName[string.concat(serviceType, "-", version)];
        return service != address(0) && _services[service].isRecommended;
    }

    // --- internals ---

    function _get(address user) private view returns (Ledger storage) {
        if (!_users.contains(user)) revert LedgerNotExists(user);
        return _ledgers[user];
    }

    function _serviceNamed(string calldata name) private view returns (address service) {
        service = _serviceByName[name];
        if (service == address(0)) revert ServiceNotFound(service);
    }

    function _checkInfo(string calldata info) private pure {
        if (bytes(info).length > MAX_ADDITIONAL_INFO_LENGTH) {
            revert AdditionalInfoTooLong(bytes(info).length, MAX_ADDITIONAL_INFO_LENGTH);
        }
    }

    function _open(address user, uint256 amount, string memory info) private {
        _users.add(user);
        Ledger storage l = _ledgers[user];
        l.user = user;
        l.availableBalance = amount;
        l.totalBalance = amount;
        l.additionalInfo = info;
    }

    function _deposit(address user, uint256 amount) private {
        if (amount == 0) revert ZeroAmountNotAllowed();
        if (!_users.contains(user)) {
            if (amount < MIN_ACCOUNT_BALANCE) revert MinimumDepositRequired(amount, MIN_ACCOUNT_BALANCE);
            _open(user, amount, "");
            return;
        }
        Ledger storage l = _ledgers[user];
        l.availableBalance += amount;
        l.totalBalance += amount;
    }

    /// @dev Deletes the ledger and the user's (empty) sub-accounts on every registered service.
    function _close(address user) private {
        _users.remove(user);
        delete _ledgers[user];
        uint256 n = _serviceAddresses.length();
        for (uint256 i = 0; i < n; i++) {
            address service = _serviceAddresses.at(i);
            EnumerableSet.AddressSet storage providers = _providersOf[user][service];
            while (providers.length() > 0) {
                address provider = providers.at(providers.length() - 1);
                providers.remove(provider);
                try IServing(service).deleteAccount(user, provider) {} catch {}
            }
        }
    }

    /// @dev Re-raises a serving contract's revert so the caller sees its custom error, not a generic CallFailed.
    function _bubble(bytes memory ret) private pure {
        if (ret.length == 0) revert CallFailed();
        assembly ("memory-safe") {
            revert(add(ret, 32), mload(ret))
        }
    }

    /// @dev Only serving contracts send money here (released refunds); plain transfers would be lost.
    receive() external payable {
        if (_services[msg.sender].serviceAddress == address(0)) revert DirectDepositsDisabled();
    }
}
