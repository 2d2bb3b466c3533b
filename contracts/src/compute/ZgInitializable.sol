// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @dev One-shot initializer for contracts that sit behind a beacon proxy, with the ABI of 0G's serving contracts
 * (`initialized()`, `AlreadyInitialized()`, `Initialized(uint8)`): OpenZeppelin's Initializable emits
 * `Initialized(uint64)`, a different topic than the one the official compute SDK knows.
 */
abstract contract ZgInitializable {
    bool private _initialized;

    event Initialized(uint8 version);

    error AlreadyInitialized();

    /// @dev The implementation behind the beacon can never be initialized itself.
    constructor() {
        _initialized = true;
    }

    modifier onlyInitializeOnce() {
        if (_initialized) revert AlreadyInitialized();
        _initialized = true;
        emit Initialized(1);
        _;
    }

    function initialized() external view returns (bool) {
        return _initialized;
    }
}
