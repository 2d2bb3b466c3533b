// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IWithdrawable {
    function withdraw() external returns (uint256);
}

/**
 * @dev Test fixture, never deployed by the devnet: a contributor whose receive() tries to call withdraw() again.
 * It records whether that nested call was refused and with which error selector, and how much it received.
 */
contract ReentrantWithdrawer {
    IWithdrawable public immutable registry;
    bool public reentryRefused;
    bytes4 public reentryError;
    uint256 public received;
    bool private _inside;

    constructor(address registry_) {
        registry = IWithdrawable(registry_);
    }

    function attack() external {
        registry.withdraw();
    }

    receive() external payable {
        received += msg.value;
        if (_inside) return;
        _inside = true;
        try registry.withdraw() {
            reentryRefused = false;
        } catch (bytes memory reason) {
            reentryRefused = true;
            reentryError = bytes4(reason);
        }
        _inside = false;
    }
}
