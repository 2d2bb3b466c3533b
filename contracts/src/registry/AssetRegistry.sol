// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/**
 * @title AssetRegistry: community-owned datasets and models, with contributors, lineage and payments.
 * @notice An asset (a dataset or a model) has an owner, a name unique among that owner's assets, and versions.
 * Each version records a semver string, the 0G Storage root of its manifest, an SPDX license expression, its
 * contributors with shares in basis points (summing to 10000) and its parents (asset ids it derives from).
 * The owner, or maintainers it appoints, publish versions. Everything is announced in events, so a client can
 * list and index the registry from logs alone.
 *
 * Payments: `pay(assetId)` splits msg.value by the latest version. First `lineageBps` of it goes to the parents
 * (equal parts per parent, each part split among that parent's latest contributors by share); the rest goes to
 * the asset's own contributors by share. Integer division leaves a few wei; that remainder goes to the asset's
 * first contributor, so every wei of a payment is credited. Credits are withdrawn with `withdraw()`
 * (pull payments: a contributor that cannot receive ether cannot block a payment).
 */
contract AssetRegistry is ReentrancyGuard {
    using EnumerableSet for EnumerableSet.AddressSet;

    enum AssetKind {
        Dataset,
        Model
    }

    struct Contributor {
        address account;
        uint16 shareBps;
    }

    struct VersionInput {
        string version;
        bytes32 manifestRoot;
        string license;
        Contributor[] contributors;
        uint256[] parents;
    }

    struct Version {
        string version;
        bytes32 manifestRoot;
        string license;
        Contributor[] contributors;
        uint256[] parents;
        address publisher;
        uint256 createdAt;
    }

    struct AssetView {
        uint256 id;
        AssetKind kind;
        string name;
        address owner;
        uint256 createdAt;
        bool deprecated;
        uint16 lineageBps;
        uint256 versionCount;
        address[] maintainers;
        uint256 totalPaid;
    }

    struct Asset {
        AssetKind kind;
        string name;
        address owner;
        uint256 createdAt;
        bool deprecated;
        uint16 lineageBps;
        uint256 totalPaid;
        Version[] versions;
        EnumerableSet.AddressSet maintainers;
        mapping(bytes32 => uint256) versionIndexPlusOne;
    }

    uint16 public constant TOTAL_BPS = 10_000;
    uint256 public constant MAX_CONTRIBUTORS = 32;
    uint256 public constant MAX_PARENTS = 16;
    uint256 public constant MAX_NAME_LENGTH = 64;
    uint256 public constant MAX_LICENSE_LENGTH = 128;
    uint256 public constant MAX_VERSION_LENGTH = 64;

    /// @dev Asset ids start at 1; 0 means "none".
    uint256 private _count;
    mapping(uint256 => Asset) private _assets;
    mapping(address => mapping(bytes32 => uint256)) private _idByOwnerName;
    mapping(address => uint256) private _earnings;

    event AssetRegistered(uint256 indexed assetId, address indexed owner, AssetKind kind, string name, uint16 lineageBps);
    event VersionPublished(
        uint256 indexed assetId,
        uint256 indexed versionIndex,
        address indexed publisher,
        string version,
        bytes32 manifestRoot,
        string license,
        Contributor[] contributors,
        uint256[] parents
    );
    event MaintainerSet(uint256 indexed assetId, address indexed account, bool enabled);
    event AssetDeprecated(uint256 indexed assetId, bool deprecated);
    event LineageShareSet(uint256 indexed assetId, uint16 lineageBps);
    event AssetOwnershipTransferred(uint256 indexed assetId, address indexed previousOwner, address indexed newOwner);
    event Paid(uint256 indexed assetId, address indexed payer, uint256 amount);
    event EarningsCredited(address indexed account, uint256 indexed assetId, uint256 indexed sourceAssetId, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    error AssetNotFound(uint256 assetId);
    error NotAssetOwner(uint256 assetId, address caller);
    error NotPublisher(uint256 assetId, address caller);
    error NameTaken(address owner, string name);
    error InvalidName(string name);
    error InvalidVersion(string version);
    error VersionExists(uint256 assetId, string version);
    error InvalidLicense(string license);
    error EmptyManifestRoot();
    error InvalidContributors(string reason);
    error InvalidParents(string reason);
    error InvalidShare(uint16 bps);
    error AssetIsDeprecated(uint256 assetId);
    error ZeroPayment();
    error NothingToWithdraw();
    error TransferFailed();
    error ZeroAddress();

    // --- writing ---

    function register(AssetKind kind, string calldata name, VersionInput calldata v, uint16 lineageBps)
        external
        returns (uint256 assetId)
    {
        _checkName(name);
        if (lineageBps > TOTAL_BPS) revert InvalidShare(lineageBps);
        bytes32 nameKey = keccak256(bytes(name));
        if (_idByOwnerName[msg.sender][nameKey] != 0) revert NameTaken(msg.sender, name);
        assetId = ++_count;
        Asset storage a = _assets[assetId];
        a.kind = kind;
        a.name = name;
        a.owner = msg.sender;
        a.createdAt = block.timestamp;
        a.lineageBps = lineageBps;
        _idByOwnerName[msg.sender][nameKey] = assetId;
        emit AssetRegistered(assetId, msg.sender, kind, name, lineageBps);
        _publish(assetId, a, v);
    }

    function publishVersion(uint256 assetId, VersionInput calldata v) external returns (uint256 versionIndex) {
        Asset storage a = _asset(assetId);
        if (msg.sender != a.owner && !a.maintainers.contains(msg.sender)) revert NotPublisher(assetId, msg.sender);
        if (a.deprecated) revert AssetIsDeprecated(assetId);
        return _publish(assetId, a, v);
    }

    function setMaintainer(uint256 assetId, address account, bool enabled) external {
        Asset storage a = _owned(assetId);
        if (account == address(0)) revert ZeroAddress();
        if (enabled) a.maintainers.add(account);
        else a.maintainers.remove(account);
        emit MaintainerSet(assetId, account, enabled);
    }

    function setDeprecated(uint256 assetId, bool deprecated) external {
        _owned(assetId).deprecated = deprecated;
        emit AssetDeprecated(assetId, deprecated);
    }

    function setLineageShare(uint256 assetId, uint16 lineageBps) external {
        Asset storage a = _owned(assetId);
        if (lineageBps > TOTAL_BPS) revert InvalidShare(lineageBps);
        a.lineageBps = lineageBps;
        emit LineageShareSet(assetId, lineageBps);
    }

    /// @notice Hands the asset to `newOwner`, whose own asset names must not already include this one.
    function transferAssetOwnership(uint256 assetId, address newOwner) external {
        Asset storage a = _owned(assetId);
        if (newOwner == address(0)) revert ZeroAddress();
        bytes32 nameKey = keccak256(bytes(a.name));
        if (_idByOwnerName[newOwner][nameKey] != 0) revert NameTaken(newOwner, a.name);
        delete _idByOwnerName[a.owner][nameKey];
        _idByOwnerName[newOwner][nameKey] = assetId;
        emit AssetOwnershipTransferred(assetId, a.owner, newOwner);
        a.owner = newOwner;
    }

    // --- money ---

    /// @notice Pays for using the asset; the value is credited to contributors and parents (see the contract notice).
    function pay(uint256 assetId) external payable nonReentrant {
        if (msg.value == 0) revert ZeroPayment();
        Asset storage a = _asset(assetId);
        Version storage latest = a.versions[a.versions.length - 1];
        a.totalPaid += msg.value;
        emit Paid(assetId, msg.sender, msg.value);

        uint256 credited = 0;
        uint256 nParents = latest.parents.length;
        if (nParents > 0 && a.lineageBps > 0) {
            uint256 perParent = (msg.value * a.lineageBps) / TOTAL_BPS / nParents;
            for (uint256 i = 0; i < nParents; i++) {
                uint256 parentId = latest.parents[i];
                Asset storage parent = _assets[parentId];
                credited += _split(parent.versions[parent.versions.length - 1].contributors, perParent, assetId, parentId);
            }
        }
        // What the parents did not get (their share, or all of it without parents) goes to the own contributors.
        uint256 own = msg.value - ((nParents > 0 && a.lineageBps > 0) ? (msg.value * a.lineageBps) / TOTAL_BPS : 0);
        credited += _split(latest.contributors, own, assetId, assetId);
        uint256 dust = msg.value - credited;
        if (dust > 0) _credit(latest.contributors[0].account, dust, assetId, assetId);
    }

    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _earnings[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _earnings[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // --- views ---

    function assetCount() external view returns (uint256) {
        return _count;
    }

    function getAsset(uint256 assetId) external view returns (AssetView memory) {
        Asset storage a = _asset(assetId);
        return AssetView({
            id: assetId,
            kind: a.kind,
            name: a.name,
            owner: a.owner,
            createdAt: a.createdAt,
            deprecated: a.deprecated,
            lineageBps: a.lineageBps,
            versionCount: a.versions.length,
            maintainers: a.maintainers.values(),
            totalPaid: a.totalPaid
        });
    }

    function getVersion(uint256 assetId, uint256 versionIndex) external view returns (Version memory) {
        Asset storage a = _asset(assetId);
        if (versionIndex >= a.versions.length) revert InvalidVersion("index out of range");
        return a.versions[versionIndex];
    }

    function latestVersion(uint256 assetId) external view returns (Version memory) {
        Asset storage a = _asset(assetId);
        return a.versions[a.versions.length - 1];
    }

    /// @return index of `version` in the asset's versions; reverts when it was never published.
    function versionIndexOf(uint256 assetId, string calldata version) external view returns (uint256) {
        uint256 i = _asset(assetId).versionIndexPlusOne[keccak256(bytes(version))];
        if (i == 0) revert InvalidVersion(version);
        return i - 1;
    }

    /// @return the id of `owner`'s asset called `name`, or 0.
    function assetIdOf(address owner, string calldata name) external view returns (uint256) {
        return _idByOwnerName[owner][keccak256(bytes(name))];
    }

    function isMaintainer(uint256 assetId, address account) external view returns (bool) {
        return _asset(assetId).maintainers.contains(account);
    }

    function earningsOf(address account) external view returns (uint256) {
        return _earnings[account];
    }

    // --- internals ---

    function _asset(uint256 assetId) private view returns (Asset storage a) {
        if (assetId == 0 || assetId > _count) revert AssetNotFound(assetId);
        return _assets[assetId];
    }

    function _owned(uint256 assetId) private view returns (Asset storage a) {
        a = _asset(assetId);
        if (a.owner != msg.sender) revert NotAssetOwner(assetId, msg.sender);
    }

    function _publish(uint256 assetId, Asset storage a, VersionInput calldata v) private returns (uint256 index) {
        _checkSemver(v.version);
        if (v.manifestRoot == bytes32(0)) revert EmptyManifestRoot();
        uint256 licenseLength = bytes(v.license).length;
        if (licenseLength == 0 || licenseLength > MAX_LICENSE_LENGTH) revert InvalidLicense(v.license);
        _checkContributors(v.contributors);
        _checkParents(assetId, v.parents);
        bytes32 versionKey = keccak256(bytes(v.version));
        if (a.versionIndexPlusOne[versionKey] != 0) revert VersionExists(assetId, v.version);

        index = a.versions.length;
        Version storage s = a.versions.push();
        s.version = v.version;
        s.manifestRoot = v.manifestRoot;
        s.license = v.license;
        for (uint256 i = 0; i < v.contributors.length; i++) {
            s.contributors.push(v.contributors[i]);
        }
        s.parents = v.parents;
        s.publisher = msg.sender;
        s.createdAt = block.timestamp;
        a.versionIndexPlusOne[versionKey] = index + 1;
        emit VersionPublished(assetId, index, msg.sender, v.version, v.manifestRoot, v.license, v.contributors, v.parents);
    }

    function _checkContributors(Contributor[] calldata cs) private pure {
        if (cs.length == 0 || cs.length > MAX_CONTRIBUTORS) revert InvalidContributors("1 to 32 contributors");
        uint256 total = 0;
        for (uint256 i = 0; i < cs.length; i++) {
            if (cs[i].account == address(0)) revert InvalidContributors("zero address");
            if (cs[i].shareBps == 0) revert InvalidContributors("zero share");
            for (uint256 j = 0; j < i; j++) {
                if (cs[j].account == cs[i].account) revert InvalidContributors("duplicate contributor");
            }
            total += cs[i].shareBps;
        }
        if (total != TOTAL_BPS) revert InvalidContributors("shares must sum to 10000 bps");
    }

    function _checkParents(uint256 assetId, uint256[] calldata parents) private view {
        if (parents.length > MAX_PARENTS) revert InvalidParents("at most 16 parents");
        for (uint256 i = 0; i < parents.length; i++) {
            if (parents[i] == assetId) revert InvalidParents("an asset cannot be its own parent");
            if (parents[i] == 0 || parents[i] > _count) revert InvalidParents("unknown parent asset");
            for (uint256 j = 0; j < i; j++) {
                if (parents[j] == parents[i]) revert InvalidParents("duplicate parent");
            }
        }
    }

    /// @dev Names are what CLIs type ("owner/name"): 1-64 characters of [A-Za-z0-9._-].
    function _checkName(string calldata name) private pure {
        bytes calldata b = bytes(name);
        if (b.length == 0 || b.length > MAX_NAME_LENGTH) revert InvalidName(name);
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 ch = b[i];
            bool ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "."
                || ch == "_" || ch == "-";
            if (!ok) revert InvalidName(name);
        }
    }

    /**
     * @dev Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH (numbers without leading zeros), then optionally
     * "-prerelease" and/or "+build" made of [0-9A-Za-z.-]. Hand-written: there is no Solidity semver library.
     */
    function _checkSemver(string calldata version) private pure {
        bytes calldata b = bytes(version);
        if (b.length == 0 || b.length > MAX_VERSION_LENGTH) revert InvalidVersion(version);
        uint256 i = 0;
        for (uint256 part = 0; part < 3; part++) {
            uint256 start = i;
            while (i < b.length && b[i] >= "0" && b[i] <= "9") i++;
            if (i == start || (b[start] == "0" && i - start > 1)) revert InvalidVersion(version);
            if (part < 2) {
                if (i >= b.length || b[i] != ".") revert InvalidVersion(version);
                i++;
            }
        }
        if (i == b.length) return;
        if (b[i] != "-" && b[i] != "+") revert InvalidVersion(version);
        i++;
        if (i == b.length) revert InvalidVersion(version);
        for (; i < b.length; i++) {
            bytes1 ch = b[i];
            bool ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "."
                || ch == "-" || ch == "+";
            if (!ok) revert InvalidVersion(version);
        }
    }

    /// @dev Credits floor(amount × share / 10000) to each contributor; returns the total credited.
    function _split(Contributor[] storage cs, uint256 amount, uint256 assetId, uint256 sourceAssetId)
        private
        returns (uint256 credited)
    {
        if (amount == 0) return 0;
        for (uint256 i = 0; i < cs.length; i++) {
            uint256 part = (amount * cs[i].shareBps) / TOTAL_BPS;
            if (part == 0) continue;
            _credit(cs[i].account, part, assetId, sourceAssetId);
            credited += part;
        }
    }

    function _credit(address account, uint256 amount, uint256 assetId, uint256 sourceAssetId) private {
        _earnings[account] += amount;
        emit EarningsCredited(account, assetId, sourceAssetId, amount);
    }
}
