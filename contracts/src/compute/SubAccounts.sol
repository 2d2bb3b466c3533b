// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @dev A refund the user asked for; it can be withdrawn to the ledger once `lockTime` has passed.
struct RefundRecord {
    uint256 amount;
    uint256 createdAt;
}

/**
 * @dev A user's balance with one provider on one serving contract. `pendingRefund` is the part of `balance`
 * already requested back (sum of `refunds`); the provider can settle against `balance` and, when the free part is
 * not enough, eats into pending refunds newest first (so a user cannot dodge a bill by requesting a refund).
 */
struct SubAccount {
    address user;
    address provider;
    uint256 nonce;
    uint256 balance;
    uint256 pendingRefund;
    string additionalInfo;
    bool acknowledged;
    uint256 generation;
    uint256 revokedBitmap;
    /// @dev Only live refunds, oldest first: processed and cancelled ones are removed at once.
    RefundRecord[] refunds;
}

/// @notice Sub-accounts keyed by (user, provider), indexed by user and by provider, with the refund rules of 0G's
/// serving contracts (at most 5 live refunds, release after lockTime, cancellation oldest first on top-up).
library SubAccounts {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    uint256 internal constant MAX_REFUNDS_PER_ACCOUNT = 5;

    struct Map {
        EnumerableSet.Bytes32Set keys;
        mapping(bytes32 => SubAccount) values;
        mapping(address => EnumerableSet.Bytes32Set) byUser;
        mapping(address => EnumerableSet.Bytes32Set) byProvider;
    }

    error AccountNotExists(address user, address provider);
    error AccountExists(address user, address provider);
    error TooManyRefunds(address user, address provider);

    function key(address user, address provider) internal pure returns (bytes32) {
        return keccak256(abi.encode(user, provider));
    }

    function exists(Map storage map, address user, address provider) internal view returns (bool) {
        return map.keys.contains(key(user, provider));
    }

    function get(Map storage map, address user, address provider) internal view returns (SubAccount storage) {
        bytes32 k = key(user, provider);
        if (!map.keys.contains(k)) revert AccountNotExists(user, provider);
        return map.values[k];
    }

    function create(Map storage map, address user, address provider, uint256 amount, string memory info)
        internal
        returns (SubAccount storage a)
    {
        bytes32 k = key(user, provider);
        if (!map.keys.add(k)) revert AccountExists(user, provider);
        map.byUser[user].add(k);
        map.byProvider[provider].add(k);
        a = map.values[k];
        a.user = user;
        a.provider = provider;
        a.balance = amount;
        a.additionalInfo = info;
    }

    /// @return balance what the account still held (0 in normal operation: the ledger deletes only emptied accounts).
    function remove(Map storage map, address user, address provider) internal returns (uint256 balance) {
        bytes32 k = key(user, provider);
        if (!map.keys.remove(k)) return 0;
        map.byUser[user].remove(k);
        map.byProvider[provider].remove(k);
        balance = map.values[k].balance;
        delete map.values[k];
    }

    /// @dev Adds `amount` and first cancels up to `cancel` of pending refunds, oldest first.
    function deposit(SubAccount storage a, uint256 cancel, uint256 amount) internal {
        uint256 left = cancel > a.pendingRefund ? a.pendingRefund : cancel;
        a.pendingRefund -= left;
        uint256 i = 0;
        while (left > 0 && i < a.refunds.length) {
            RefundRecord storage r = a.refunds[i];
            if (r.amount <= left) {
                left -= r.amount;
                r.amount = 0;
            } else {
                r.amount -= left;
                left = 0;
            }
            i++;
        }
        _compact(a);
        a.balance += amount;
    }

    /// @dev Requests back everything not yet requested. Returns false when there was nothing to request.
    function requestRefundAll(SubAccount storage a) internal returns (bool created, uint256 index) {
        uint256 amount = a.balance - a.pendingRefund;
        if (amount == 0) return (false, 0);
        if (a.refunds.length >= MAX_REFUNDS_PER_ACCOUNT) revert TooManyRefunds(a.user, a.provider);
        a.refunds.push(RefundRecord({amount: amount, createdAt: block.timestamp}));
        a.pendingRefund += amount;
        return (true, a.refunds.length - 1);
    }

    /// @dev Releases every refund older than `lockTime`; returns the released total (the caller sends it on).
    function processRefund(SubAccount storage a, uint256 lockTime) internal returns (uint256 total) {
        for (uint256 i = 0; i < a.refunds.length; i++) {
            RefundRecord storage r = a.refunds[i];
            if (block.timestamp >= r.createdAt + lockTime) {
                total += r.amount;
                r.amount = 0;
            }
        }
        _compact(a);
        a.balance -= total;
        a.pendingRefund -= total;
    }

    /// @dev Takes `fee` from the account: free balance first, then pending refunds newest first.
    function charge(SubAccount storage a, uint256 fee) internal {
        uint256 free = a.balance - a.pendingRefund;
        if (fee > free) {
            uint256 left = fee - free;
            a.pendingRefund -= left;
            for (uint256 i = a.refunds.length; i > 0 && left > 0; i--) {
                RefundRecord storage r = a.refunds[i - 1];
                if (r.amount <= left) {
                    left -= r.amount;
                    r.amount = 0;
                } else {
                    r.amount -= left;
                    left = 0;
                }
            }
            _compact(a);
        }
        a.balance -= fee;
    }

    /// @dev Drops emptied refunds, keeping the order of the others.
    function _compact(SubAccount storage a) private {
        uint256 w = 0;
        uint256 n = a.refunds.length;
        for (uint256 i = 0; i < n; i++) {
            if (a.refunds[i].amount == 0) continue;
            if (i != w) a.refunds[w] = a.refunds[i];
            w++;
        }
        while (a.refunds.length > w) a.refunds.pop();
    }

    function count(Map storage map) internal view returns (uint256) {
        return map.keys.length();
    }

    function at(Map storage map, uint256 i) internal view returns (SubAccount storage) {
        return map.values[map.keys.at(i)];
    }

    /// @dev Page [offset, offset+limit) of a key set, clipped; `limit` must already be resolved (non-zero).
    function page(EnumerableSet.Bytes32Set storage set, uint256 offset, uint256 limit)
        internal
        view
        returns (bytes32[] memory keys, uint256 total)
    {
        total = set.length();
        if (offset >= total) return (new bytes32[](0), total);
        uint256 end = offset + limit > total ? total : offset + limit;
        keys = new bytes32[](end - offset);
        for (uint256 i = 0; i < keys.length; i++) {
            keys[i] = set.at(offset + i);
        }
    }
}
